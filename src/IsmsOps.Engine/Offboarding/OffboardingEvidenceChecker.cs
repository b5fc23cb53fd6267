using System.Globalization;
using System.Text.Json;
using IsmsOps.Engine.Audit;

namespace IsmsOps.Engine.Offboarding;

/// <summary>
/// Proves an evidence record against the audit trail, in three layers: (a) every event in the record recomputes to its
/// hash and links to the event before it where the two are adjacent; (b) every event is in the trail at the same
/// sequence with the same content, the trail verifies, no event of the case up to the record's last is left out, and
/// the record's checkpoint is validly signed and agrees with the trail; (c) the case header, each step and the
/// verification say what the events say. Each difference is a finding naming the event, step or field.
/// </summary>
public static class OffboardingEvidenceChecker
{
    /// <summary>Checks the record at <paramref name="path"/> against the store's trail, trusting its signing key and <paramref name="trustedKeyIds"/>.</summary>
    public static Task<OffboardingEvidenceCheck> CheckAgainstStoreAsync(string path, AuditTrail audit, IReadOnlyCollection<string> trustedKeyIds,
        CancellationToken cancellationToken) =>
        CheckAgainstStoreAsync(path, new OffboardingTrailReading(audit, trustedKeyIds), cancellationToken);

    /// <summary>
    /// Checks the record at <paramref name="path"/> against an Export-IsmsAuditTrail file (<paramref name="exportPath"/>,
    /// its manifest beside it), offline. With <paramref name="trustedKeyIds"/> null, any key that signed validly is
    /// accepted; compare the checkpoint's key id with the one your organisation recorded.
    /// </summary>
    public static OffboardingEvidenceCheck CheckAgainstExport(string path, string exportPath, IReadOnlyCollection<string>? trustedKeyIds,
        CancellationToken cancellationToken) =>
        CheckAgainstReadingAsync(path, OffboardingTrailReading.OfExport(exportPath, trustedKeyIds), cancellationToken).GetAwaiter().GetResult();

    /// <summary>
    /// Checks the record at <paramref name="path"/> against the store's trail as <paramref name="reading"/> holds it: a
    /// command checking several records reads the trail once for all of them.
    /// </summary>
    public static Task<OffboardingEvidenceCheck> CheckAgainstStoreAsync(string path, OffboardingTrailReading reading, CancellationToken cancellationToken) =>
        CheckAgainstReadingAsync(path, reading, cancellationToken);

    /// <summary>
    /// Checks the record at <paramref name="path"/> against the trail <paramref name="reading"/> holds, the store's or an
    /// exported one (<see cref="OffboardingTrailReading.OfExport"/>): a command checking several records reads the trail
    /// once for all of them.
    /// </summary>
    public static async Task<OffboardingEvidenceCheck> CheckAgainstReadingAsync(string path, OffboardingTrailReading reading, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reading);
        (OffboardingEvidence record, string sha) = OffboardingEvidenceFile.Read(path);
        OffboardingTrailReading.Snapshot snapshot = await reading.GetAsync(cancellationToken).ConfigureAwait(false);
        // A record exported after the trail was read is anchored beyond it: read the trail again rather than call it forged.
        long last = record.Events.Count == 0 ? 0 : record.Events[^1].Sequence;
        if (Math.Max(last, record.Trail.HeadSequence) > snapshot.EventCount)
        {
            snapshot = await reading.RefreshAsync(cancellationToken).ConfigureAwait(false);
        }

        TrailView trail = TrailView.From(snapshot, record)
            ?? TrailView.Collect(reading.ReadAllAgain(cancellationToken), snapshot.Verification, snapshot.Source, record);
        return Check(record, path, sha, trail, reading.TrustedKeyIds);
    }

    /// <summary>The check itself, on a record and the parts of the trail it needs.</summary>
    internal static OffboardingEvidenceCheck Check(OffboardingEvidence record, string path, string fileSha256, TrailView trail,
        IReadOnlyCollection<string>? trustedKeyIds)
    {
        var findings = new Findings();
        string caseId = record.Case.CaseId;
        string target = OffboardingRegister.Target(caseId);
        IReadOnlyList<AuditEvent> events = record.Events;

        CheckEventsThemselves(events, target, findings);
        CheckAgainstTrail(record, trail, fileSha256, target, trustedKeyIds, findings);
        var replay = Replay.Of(events, findings);
        CheckHeader(record, replay, findings);
        CheckSteps(record, replay, findings);
        CheckVerification(record, replay, findings);

        IReadOnlyList<OffboardingEvidenceFinding> all = findings.Ordered();
        OffboardingEvidenceFinding? firstError = all.FirstOrDefault(f => f.Severity == OffboardingEvidenceSeverity.Error);
        int errors = all.Count(f => f.Severity == OffboardingEvidenceSeverity.Error);
        string span = events.Count == 0 ? "no events" : $"{events.Count} events (sequence {events[0].Sequence} to {events[^1].Sequence})";
        return new OffboardingEvidenceCheck
        {
            Valid = firstError is null,
            Path = path,
            CaseId = caseId,
            FileSha256 = fileSha256,
            TrailSource = trail.Source,
            EventCount = events.Count,
            FirstEventSequence = events.Count == 0 ? null : events[0].Sequence,
            LastEventSequence = events.Count == 0 ? null : events[^1].Sequence,
            TrailHeadSequence = trail.Verification.HeadSequence,
            Findings = all,
            Message = firstError is null
                ? $"The record of {caseId} agrees with the audit trail: {span}, the case, {record.Steps.Count} steps and the verification match them; trail verified to {trail.Verification.HeadSequence}."
                : $"The record of {caseId} does not agree with the audit trail ({errors} error{(errors == 1 ? "" : "s")}). First: {firstError.Subject}{(firstError.Field is null ? "" : " " + firstError.Field)}: {firstError.Message}",
        };
    }

    // (a) What the record proves on its own: each event's hash, their order, and the link between adjacent ones.
    private static void CheckEventsThemselves(IReadOnlyList<AuditEvent> events, string target, Findings findings)
    {
        if (events.Count == 0)
        {
            findings.Error("case", "events", "The record holds no audit events, so nothing in it is backed by the trail.");
            return;
        }

        for (int i = 0; i < events.Count; i++)
        {
            AuditEvent e = events[i];
            string subject = EventSubject(e);
            if (!string.Equals(AuditHash.ComputeEventHash(e), e.Hash, StringComparison.Ordinal))
            {
                findings.Error(subject, "hash", $"Event {e.Sequence} ({e.Action}) does not recompute to its recorded hash {e.Hash}: a field of it was edited.");
            }

            if (!string.Equals(e.Target, target, StringComparison.OrdinalIgnoreCase))
            {
                findings.Error(subject, "target", $"Event {e.Sequence} is about '{e.Target}', not this case ('{target}').");
            }

            if (i > 0)
            {
                AuditEvent before = events[i - 1];
                if (e.Sequence <= before.Sequence)
                {
                    findings.Error(subject, "seq", $"Event {e.Sequence} follows event {before.Sequence}: the record's events must be in trail order, each once.");
                }
                else if (e.Sequence == before.Sequence + 1 && !string.Equals(e.PreviousHash, before.Hash, StringComparison.Ordinal))
                {
                    findings.Error(subject, "prevHash", $"Event {e.Sequence} links to {e.PreviousHash}, but event {before.Sequence} in the record has hash {before.Hash}.");
                }
            }
        }
    }

    // (b) The record against the trail: the trail verifies, and holds these events, all of them, as recorded.
    private static void CheckAgainstTrail(OffboardingEvidence record, TrailView trail, string fileSha256, string target,
        IReadOnlyCollection<string>? trustedKeyIds, Findings findings)
    {
        AuditVerificationResult verification = trail.Verification;
        if (!verification.IsValid)
        {
            findings.Error("trail", null, $"The audit trail ({trail.Source}) does not verify: {verification.Message}");
        }

        foreach (AuditEvent e in record.Events)
        {
            if (!trail.BySequence.TryGetValue(e.Sequence, out AuditEvent? stored))
            {
                findings.Error(EventSubject(e), "seq",
                    $"Event {e.Sequence} ({e.Action}) is not in the trail, which holds events 1 to {verification.EventCount}.");
                continue;
            }

            string[] differing = DifferingFields(e, stored);
            if (differing.Length > 0)
            {
                findings.Error(EventSubject(e), string.Join(", ", differing),
                    $"Event {e.Sequence} in the record differs from the trail's event {e.Sequence} ({stored.Action}) in: {string.Join(", ", differing)}.");
            }
        }

        long last = record.Events.Count == 0 ? 0 : record.Events[^1].Sequence;
        var inRecord = record.Events.Select(e => e.Sequence).ToHashSet();
        foreach (AuditEvent missing in trail.CaseEvents.Where(e => e.Sequence <= last && !inRecord.Contains(e.Sequence)))
        {
            findings.Error(EventSubject(missing), null, $"The trail's event {missing.Sequence} ({missing.Action}) for this case is missing from the record.");
        }

        List<AuditEvent> later = trail.CaseEvents.Where(e => e.Sequence > last && e.Action != OffboardingAuditActions.EvidenceExported).ToList();
        if (later.Count > 0)
        {
            findings.Notice("trail", null,
                $"The trail has {later.Count} later event(s) for this case ({string.Join(", ", later.Take(5).Select(e => $"{e.Sequence} {e.Action}"))}{(later.Count > 5 ? ", ..." : "")}): the record shows the case as it stood at event {last}; export it again for the current state.");
        }

        AuditEvent? export = trail.CaseEvents.LastOrDefault(e => e.Action == OffboardingAuditActions.EvidenceExported
            && string.Equals(Details.TryParse(e.Details)?.Text("JsonSha256"), fileSha256, StringComparison.OrdinalIgnoreCase));
        findings.Notice("file", "sha256", export is null
            ? $"No Offboarding.EvidenceExported event in the trail records this file's SHA-256 ({fileSha256}); the checks above stand on their own."
            : $"This file (SHA-256 {fileSha256}) is the one exported at event {export.Sequence}, {export.TimeText}, by {export.Actor}.");

        OffboardingEvidenceTrail anchor = record.Trail;
        if (trail.HashBySequence.TryGetValue(anchor.HeadSequence, out string? headHash))
        {
            if (!string.Equals(headHash, anchor.HeadHash, StringComparison.Ordinal))
            {
                findings.Error("trail", "headHash", $"The record's trail head {anchor.HeadSequence} has hash {anchor.HeadHash}; the trail's event {anchor.HeadSequence} has {headHash}.");
            }
        }
        else
        {
            findings.Error("trail", "headSequence", $"The record's trail head {anchor.HeadSequence} is not in the trail, which holds events 1 to {verification.EventCount}.");
        }

        AuditCheckpoint checkpoint = anchor.Checkpoint;
        if (!CheckpointSigner.VerifySignature(checkpoint))
        {
            findings.Error("checkpoint", "signature", $"The checkpoint at sequence {checkpoint.Sequence} does not verify against the public key it carries: it was edited or forged.");
        }
        else if (trustedKeyIds is not null && !trustedKeyIds.Contains(checkpoint.KeyId))
        {
            findings.Error("checkpoint", "keyId", $"The checkpoint at sequence {checkpoint.Sequence} is signed by key {checkpoint.KeyId}, which is not trusted here.");
        }

        if (checkpoint.Sequence < last)
        {
            findings.Error("checkpoint", "seq", $"The checkpoint vouches for events up to {checkpoint.Sequence}, not for the record's last event {last}.");
        }

        if (trail.HashBySequence.TryGetValue(checkpoint.Sequence, out string? vouchedHash))
        {
            if (!string.Equals(vouchedHash, checkpoint.HeadHash, StringComparison.Ordinal))
            {
                findings.Error("checkpoint", "headHash", $"The checkpoint says event {checkpoint.Sequence} has hash {checkpoint.HeadHash}; the trail's has {vouchedHash}.");
            }
        }
        else
        {
            findings.Error("checkpoint", "seq", $"The checkpoint's event {checkpoint.Sequence} is not in the trail, which holds events 1 to {verification.EventCount}.");
        }
    }

    private static void CheckHeader(OffboardingEvidence record, Replay replay, Findings findings)
    {
        OffboardingEvidenceCase header = record.Case;
        if (replay.Opened is not { } opened)
        {
            findings.Error("case", null, $"The record has no {OffboardingAuditActions.CaseOpened} event as its first event, so its header is not backed by the trail.");
            return;
        }

        var compare = new Comparer(findings, "case", opened.Event);
        compare.Text("caseId", header.CaseId, opened.Details.Text("CaseId"));
        compare.Text("personId", header.PersonId, opened.Details.Text("PersonId"));
        compare.Text("userId", header.UserId, opened.Details.Text("UserId"));
        compare.Text("urgency", header.Urgency.ToString(), opened.Details.Text("Urgency"));
        compare.Time("effectiveDate", header.EffectiveDate, opened.Details.Text("EffectiveDate"));
        compare.Time("dueAt", header.DueAt, opened.Details.Text("DueAt"));

        if (replay.LastStatus is { } status)
        {
            var byStatus = new Comparer(findings, "case", status.Event);
            byStatus.Text("status", header.Status.ToString(), status.Details.StatusTo());
        }
        else if (header.Status != OffboardingCaseStatus.Planned)
        {
            findings.Error("case", "status", $"The record says {header.Status}, but no event changed the case's status from Planned.");
        }

        if (replay.LastClose is { } close)
        {
            var byClose = new Comparer(findings, "case", close.Event);
            byClose.Time("closedAt", header.ClosedAt, close.Details.Text("ClosedAt"));
            byClose.Text("deadlineBreached", Bool(header.DeadlineBreached), Bool(close.Details.Flag("Overdue")));
        }
        else if (header.ClosedAt is not null)
        {
            findings.Error("case", "closedAt", $"The record says the case closed at {Time(header.ClosedAt)}, but no {OffboardingAuditActions.CaseClosed} event is in it.");
        }

        // Whether and by how much the deadline was missed follows from the times above; check the arithmetic.
        DateTimeOffset end = header.ClosedAt ?? record.ExportedAt;
        bool breached = end > header.DueAt;
        if (header.DeadlineBreached != breached)
        {
            findings.Error("case", "deadlineBreached",
                $"The record says {Bool(header.DeadlineBreached)}, but the case {(header.ClosedAt is null ? "was open at the export, " + Time(record.ExportedAt) : "closed at " + Time(header.ClosedAt))} against a deadline of {Time(header.DueAt)}.");
        }

        TimeSpan? overdueBy = breached ? end - header.DueAt : null;
        if (header.OverdueBy != overdueBy)
        {
            findings.Error("case", "overdueBy", $"The record says {header.OverdueBy?.ToString() ?? "null"}; {(header.ClosedAt is null ? "exportedAt" : "closedAt")} minus dueAt is {overdueBy?.ToString() ?? "null (deadline met)"}.");
        }
    }

    private static void CheckSteps(OffboardingEvidence record, Replay replay, Findings findings)
    {
        if (replay.Opened is not { } opened)
        {
            return;
        }

        IReadOnlyDictionary<int, string> plan = opened.Details.Plan();
        var seen = new HashSet<int>();
        foreach (OffboardingEvidenceStep step in record.Steps)
        {
            string subject = $"step {step.Sequence.ToString(CultureInfo.InvariantCulture)}";
            if (!seen.Add(step.Sequence))
            {
                findings.Error(subject, "sequence", $"Step {step.Sequence} appears more than once in the record.");
                continue;
            }

            if (!plan.TryGetValue(step.Sequence, out string? planned))
            {
                findings.Error(subject, "sequence", $"Step {step.Sequence} is not in the plan that event {opened.Event.Sequence} recorded.");
                continue;
            }

            string recorded = $"{step.Kind} {step.ResourceId} {step.AssignmentId}".TrimEnd();
            if (!string.Equals(recorded, planned, StringComparison.Ordinal))
            {
                findings.Error(subject, "kind, resourceId, assignmentId",
                    $"The record has '{recorded}'; event {opened.Event.Sequence} planned '{planned}'.");
            }

            if (replay.LastStepEvent.TryGetValue(step.Sequence, out Recorded? last))
            {
                var compare = new Comparer(findings, subject, last.Event);
                compare.Text("kind", step.Kind.ToString(), last.Details.Text("Kind"));
                compare.Text("resourceId", step.ResourceId, last.Details.Text("ResourceId"));
                compare.Text("assignmentId", step.AssignmentId, last.Details.Text("AssignmentId"));
                compare.Text("detail", OffboardingRegister.ForTrail(step.Detail, record.Case.UserPrincipalName, record.Case.UserId), last.Details.Text("Detail"));
                compare.Text("status", step.Status.ToString(), last.Details.StatusTo());
                compare.Text("reason", OffboardingRegister.ForTrail(step.Reason, record.Case.UserPrincipalName, record.Case.UserId), last.Details.Text("Reason"));
                compare.Text("attempts", step.Attempts.ToString(CultureInfo.InvariantCulture), last.Details.Text("Attempts"));
                compare.Text("graphRequestId", step.GraphRequestId, last.Details.Text("GraphRequestId"));
                compare.Text("beforeState", step.BeforeState, last.Details.Text("BeforeState"));
                compare.Text("afterState", step.AfterState, last.Details.Text("AfterState"));
                compare.Time("startedAt", step.StartedAt, last.Details.Text("StartedAt"));
                compare.Time("completedAt", step.CompletedAt, last.Details.Text("CompletedAt"));
                compare.Text("eventSequence", step.EventSequence?.ToString(CultureInfo.InvariantCulture), last.Event.Sequence.ToString(CultureInfo.InvariantCulture));

                Recorded? confirmation = replay.Confirmations.GetValueOrDefault(step.Sequence);
                compare.Text("confirmedBy", step.ConfirmedBy, confirmation?.Event.Actor);
                compare.Time("confirmedAt", step.ConfirmedAt, confirmation?.Event.TimeText);
            }
            else
            {
                // Untouched since the plan: the plan's status, and nothing that only a run produces.
                string plannedStatus = opened.Details.PlannedStatus(step.Sequence) ?? nameof(OffboardingStepStatus.Pending);
                var compare = new Comparer(findings, subject, opened.Event);
                compare.Text("status", step.Status.ToString(), plannedStatus);
                compare.Text("attempts", step.Attempts.ToString(CultureInfo.InvariantCulture), "0");
                compare.Text("graphRequestId", step.GraphRequestId, null);
                compare.Text("beforeState", step.BeforeState, null);
                compare.Text("afterState", step.AfterState, null);
                compare.Time("startedAt", step.StartedAt, null);
                compare.Time("completedAt", step.CompletedAt, null);
                compare.Text("confirmedBy", step.ConfirmedBy, null);
                compare.Text("eventSequence", step.EventSequence?.ToString(CultureInfo.InvariantCulture), null);
            }
        }

        foreach (int sequence in plan.Keys.Where(s => !seen.Contains(s)).Order())
        {
            findings.Error($"step {sequence.ToString(CultureInfo.InvariantCulture)}", null,
                $"Step {sequence} of the plan that event {opened.Event.Sequence} recorded ('{plan[sequence]}') is missing from the record.");
        }
    }

    private static void CheckVerification(OffboardingEvidence record, Replay replay, Findings findings)
    {
        OffboardingEvidenceVerification? verification = record.Verification;
        if (replay.LastVerified is not { } verified)
        {
            if (verification is not null)
            {
                findings.Error("verification", null, $"The record carries a verification, but no {OffboardingAuditActions.Verified} event is in it to back it.");
            }

            return;
        }

        if (verification is null)
        {
            findings.Error("verification", null, $"Event {verified.Event.Sequence} recorded a verification; the record leaves it out.");
            return;
        }

        var compare = new Comparer(findings, "verification", verified.Event);
        compare.Text("eventSequence", verification.EventSequence.ToString(CultureInfo.InvariantCulture), verified.Event.Sequence.ToString(CultureInfo.InvariantCulture));
        compare.Time("verifiedAt", verification.VerifiedAt, verified.Details.Text("VerifiedAt"));
        compare.Text("accountEnabled", Bool(verification.AccountEnabled), Bool(verified.Details.Flag("AccountEnabled")));
        compare.Time("signInSessionsValidFrom", verification.SignInSessionsValidFrom, verified.Details.Text("SignInSessionsValidFrom"));
        compare.Text("nothingRemovableRemains", Bool(verification.NothingRemovableRemains), Bool(verified.Details.Flag("NothingRemovableRemains")));

        IReadOnlyList<Details> remaining = verified.Details.Items("Remaining");
        if (remaining.Count != verification.Remaining.Count)
        {
            findings.Error("verification", "remaining", $"The record lists {verification.Remaining.Count} remaining item(s); event {verified.Event.Sequence} recorded {remaining.Count}.");
        }

        for (int i = 0; i < Math.Min(remaining.Count, verification.Remaining.Count); i++)
        {
            OffboardingEvidenceRemaining item = verification.Remaining[i];
            var itemCompare = new Comparer(findings, $"verification remaining[{i.ToString(CultureInfo.InvariantCulture)}]", verified.Event);
            itemCompare.Text("kind", item.Kind, remaining[i].Text("Kind"));
            itemCompare.Text("resourceId", item.ResourceId, remaining[i].Text("ResourceId"));
            itemCompare.Text("removableThroughGraph", Bool(item.RemovableThroughGraph), Bool(remaining[i].Flag("RemovableThroughGraph")));
            itemCompare.Text("actingSystem", item.ActingSystem, remaining[i].Text("ActingSystem"));
            itemCompare.Text("why", item.Why, remaining[i].Text("Why"));
        }
    }

    private static string[] DifferingFields(AuditEvent a, AuditEvent b)
    {
        var fields = new List<string>();
        void Add(string name, bool same)
        {
            if (!same)
            {
                fields.Add(name);
            }
        }

        Add("time", a.Time == b.Time);
        Add("actor", a.Actor == b.Actor);
        Add("identity", a.Identity == b.Identity);
        Add("action", a.Action == b.Action);
        Add("target", a.Target == b.Target);
        Add("correlationId", a.CorrelationId == b.CorrelationId);
        Add("details", a.Details == b.Details);
        Add("prevHash", a.PreviousHash == b.PreviousHash);
        Add("hash", a.Hash == b.Hash);
        return [.. fields];
    }

    private static string EventSubject(AuditEvent e) => $"event {e.Sequence.ToString(CultureInfo.InvariantCulture)}";

    private static string Time(DateTimeOffset? time) => time is DateTimeOffset t ? AuditEvent.FormatTime(t.UtcDateTime) : "null";

    private static string? Bool(bool? value) => value switch { true => "true", false => "false", null => null };

    /// <summary>An event and its parsed details.</summary>
    private sealed record Recorded(AuditEvent Event, Details Details);

    /// <summary>What the record's events say, read in order: the last word on each step, the status, the verification.</summary>
    private sealed class Replay
    {
        public Recorded? Opened { get; private set; }

        public Recorded? LastStatus { get; private set; }

        public Recorded? LastClose { get; private set; }

        public Recorded? LastVerified { get; private set; }

        public Dictionary<int, Recorded> LastStepEvent { get; } = [];

        /// <summary>The event that turned a manual task into Done: its actor is who confirmed it.</summary>
        public Dictionary<int, Recorded> Confirmations { get; } = [];

        public static Replay Of(IReadOnlyList<AuditEvent> events, Findings findings)
        {
            var replay = new Replay();
            foreach (AuditEvent e in events)
            {
                Details? details = Details.TryParse(e.Details);
                if (details is null)
                {
                    findings.Error(EventSubject(e), "details", $"Event {e.Sequence}'s details are not a JSON object.");
                    continue;
                }

                var recorded = new Recorded(e, details);
                switch (e.Action)
                {
                    case OffboardingAuditActions.CaseOpened when ReferenceEquals(e, events[0]):
                        replay.Opened = recorded;
                        break;
                    case OffboardingAuditActions.CaseOpened:
                        findings.Error(EventSubject(e), "action", $"Event {e.Sequence} opens the case again; only the first event may.");
                        break;
                    case OffboardingAuditActions.CaseClosed:
                        replay.LastStatus = recorded;
                        replay.LastClose = recorded;
                        break;
                    case OffboardingAuditActions.CaseStatusChanged:
                        replay.LastStatus = recorded;
                        break;
                    case OffboardingAuditActions.Verified:
                        replay.LastVerified = recorded;
                        break;
                    case var action when OffboardingAuditActions.IsStepAction(action):
                        if (details.Text("Sequence") is string text && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int sequence))
                        {
                            replay.LastStepEvent[sequence] = recorded;
                            if (details.StatusFrom() == nameof(OffboardingStepStatus.ManualTask) && details.StatusTo() == nameof(OffboardingStepStatus.Done))
                            {
                                replay.Confirmations[sequence] = recorded;
                            }
                        }
                        else
                        {
                            findings.Error(EventSubject(e), "details", $"Event {e.Sequence} ({e.Action}) names no step Sequence.");
                        }

                        break;
                }
            }

            return replay;
        }
    }

    /// <summary>Compares record values with an event's, adding a finding that names the field and both values.</summary>
    private readonly struct Comparer(Findings findings, string subject, AuditEvent source)
    {
        public void Text(string field, string? recorded, string? trail)
        {
            if (!string.Equals(recorded, trail, StringComparison.Ordinal))
            {
                findings.Error(subject, field, $"The record has {Quote(recorded)}; event {source.Sequence} ({source.Action}) recorded {Quote(trail)}.");
            }
        }

        public void Time(string field, DateTimeOffset? recorded, string? trail)
        {
            DateTimeOffset? parsed = trail is not null && DateTimeOffset.TryParse(trail, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset value) ? value : null;
            if (recorded != parsed || (trail is not null && parsed is null))
            {
                findings.Error(subject, field, $"The record has {Quote(recorded is null ? null : OffboardingEvidenceChecker.Time(recorded))}; event {source.Sequence} ({source.Action}) recorded {Quote(trail)}.");
            }
        }

        private static string Quote(string? value) => value is null ? "null" : $"'{(value.Length > 200 ? value[..200] + "..." : value)}'";
    }

    /// <summary>An event's details, read leniently: a field that is missing reads as null.</summary>
    private sealed class Details
    {
        private readonly JsonElement _root;

        private Details(JsonElement root) => _root = root;

        public static Details? TryParse(string json)
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(json);
                return document.RootElement.ValueKind == JsonValueKind.Object ? new Details(document.RootElement.Clone()) : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        /// <summary>A string as it is, a number or boolean as its JSON text, null for null or missing.</summary>
        public string? Text(string name) => Value(_root, name);

        public bool? Flag(string name) => _root.TryGetProperty(name, out JsonElement v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

        public string? StatusTo() => Change("to");

        public string? StatusFrom() => Change("from");

        public IReadOnlyList<Details> Items(string name) => _root.TryGetProperty(name, out JsonElement list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object).Select(i => new Details(i)).ToList()
            : [];

        /// <summary>CaseOpened's plan: step sequence to "Kind ResourceId AssignmentId", without the " [Status]" suffix.</summary>
        public IReadOnlyDictionary<int, string> Plan()
        {
            var plan = new Dictionary<int, string>();
            if (_root.TryGetProperty("Steps", out JsonElement steps) && steps.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty step in steps.EnumerateObject())
                {
                    if (int.TryParse(step.Name, NumberStyles.Integer, CultureInfo.InvariantCulture, out int sequence) && step.Value.ValueKind == JsonValueKind.String)
                    {
                        string text = step.Value.GetString()!;
                        int suffix = text.LastIndexOf(" [", StringComparison.Ordinal);
                        plan[sequence] = suffix >= 0 && text.EndsWith(']') ? text[..suffix] : text;
                    }
                }
            }

            return plan;
        }

        public string? PlannedStatus(int sequence)
        {
            if (_root.TryGetProperty("Steps", out JsonElement steps) && steps.ValueKind == JsonValueKind.Object
                && steps.TryGetProperty(sequence.ToString("D3", CultureInfo.InvariantCulture), out JsonElement step) && step.ValueKind == JsonValueKind.String)
            {
                string text = step.GetString()!;
                int suffix = text.LastIndexOf(" [", StringComparison.Ordinal);
                return suffix >= 0 && text.EndsWith(']') ? text[(suffix + 2)..^1] : null;
            }

            return null;
        }

        private string? Change(string side) =>
            _root.TryGetProperty("changes", out JsonElement changes) && changes.ValueKind == JsonValueKind.Object
            && changes.TryGetProperty("Status", out JsonElement status) && status.ValueKind == JsonValueKind.Object
                ? Value(status, side)
                : null;

        private static string? Value(JsonElement parent, string name) =>
            !parent.TryGetProperty(name, out JsonElement v) ? null : v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Null => null,
                _ => v.GetRawText(),
            };
    }

    private sealed class Findings
    {
        private readonly List<OffboardingEvidenceFinding> _all = [];

        public void Error(string subject, string? field, string message) => _all.Add(new(OffboardingEvidenceSeverity.Error, subject, field, message));

        public void Notice(string subject, string? field, string message) => _all.Add(new(OffboardingEvidenceSeverity.Notice, subject, field, message));

        public IReadOnlyList<OffboardingEvidenceFinding> Ordered() => [.. _all.OrderBy(f => f.Severity)];
    }
}

/// <summary>The parts of a trail an evidence check needs: the events at the sequences the record names, the hashes at
/// its head and checkpoint, and every event about the case.</summary>
internal sealed class TrailView
{
    private TrailView(AuditVerificationResult verification, string source) => (Verification, Source) = (verification, source);

    public AuditVerificationResult Verification { get; }

    public string Source { get; }

    /// <summary>The trail's events at the sequences of the record's events.</summary>
    public Dictionary<long, AuditEvent> BySequence { get; } = [];

    /// <summary>The trail's hashes at the record's head and checkpoint sequences.</summary>
    public Dictionary<long, string> HashBySequence { get; } = [];

    /// <summary>Every event about the case, in trail order, including any after the record was made.</summary>
    public List<AuditEvent> CaseEvents { get; } = [];

    /// <summary>Gathers the view in one pass over <paramref name="events"/> (a whole trail, or an exported one).</summary>
    public static TrailView Collect(IEnumerable<AuditEvent> events, AuditVerificationResult verification, string source, OffboardingEvidence record)
    {
        string target = OffboardingRegister.Target(record.Case.CaseId);
        var wanted = record.Events.Select(e => e.Sequence).ToHashSet();
        var anchors = new HashSet<long> { record.Trail.HeadSequence, record.Trail.Checkpoint.Sequence };
        var view = new TrailView(verification, source);
        foreach (AuditEvent e in events)
        {
            if (wanted.Contains(e.Sequence))
            {
                view.BySequence.TryAdd(e.Sequence, e);
            }

            if (anchors.Contains(e.Sequence))
            {
                view.HashBySequence.TryAdd(e.Sequence, e.Hash);
            }

            if (string.Equals(e.Target, target, StringComparison.OrdinalIgnoreCase))
            {
                view.CaseEvents.Add(e);
            }
        }

        return view;
    }

    /// <summary>
    /// The view from a reading already made, without reading the trail; null when the reading cannot answer for some
    /// event the record names (one it holds only as a hash, or a trail out of order), so the caller collects it instead.
    /// </summary>
    public static TrailView? From(OffboardingTrailReading.Snapshot snapshot, OffboardingEvidence record)
    {
        var view = new TrailView(snapshot.Verification, snapshot.Source);
        foreach (AuditEvent e in record.Events)
        {
            switch (snapshot.EventAt(e.Sequence))
            {
                case (OffboardingTrailReading.Lookup.Found, AuditEvent stored):
                    view.BySequence.TryAdd(e.Sequence, stored);
                    break;
                case (OffboardingTrailReading.Lookup.Unknown, _):
                    return null;
            }
        }

        foreach (long sequence in new[] { record.Trail.HeadSequence, record.Trail.Checkpoint.Sequence })
        {
            switch (snapshot.HashAt(sequence))
            {
                case (OffboardingTrailReading.Lookup.Found, string hash):
                    view.HashBySequence.TryAdd(sequence, hash);
                    break;
                case (OffboardingTrailReading.Lookup.Unknown, _):
                    return null;
            }
        }

        view.CaseEvents.AddRange(snapshot.EventsOf(OffboardingRegister.Target(record.Case.CaseId)));
        return view;
    }
}
