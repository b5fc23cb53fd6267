using System.Text;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Storage;

namespace IsmsOps.Engine.Offboarding;

/// <summary>
/// Makes a leaver's evidence record from the stored case and the audit events about it, and writes it as
/// <c>&lt;CaseId&gt;.evidence.json</c> and <c>&lt;CaseId&gt;.evidence.html</c>. Reads the store only (no Graph): the
/// verification comes from the trail's Offboarding.Verified event, not from a new look at the directory.
/// </summary>
/// <remarks>
/// A record is made only from a trail that verifies, and only when the record checks against it
/// (<see cref="OffboardingEvidenceChecker"/>): a case row edited behind IsmsOps's back is refused, not exported. The
/// export itself is audited (Offboarding.EvidenceExported, with the JSON's SHA-256), so a file handed to an auditor can
/// be matched to the export that made it.
/// </remarks>
public static class OffboardingEvidenceExport
{
    /// <summary>The record's file name in the destination folder.</summary>
    public static string JsonFileName(string caseId) => caseId + ".evidence.json";

    /// <summary>The page's file name in the destination folder.</summary>
    public static string HtmlFileName(string caseId) => caseId + ".evidence.html";

    /// <summary>
    /// The record of case <paramref name="caseId"/> as the store and trail hold it now. Fails with
    /// <c>IsmsOps.Offboarding.NotFound</c>, <c>IsmsOps.Evidence.TrailInvalid</c> when the trail does not verify, and
    /// <c>IsmsOps.Evidence.Inconsistent</c> when the stored case disagrees with its own audit events.
    /// </summary>
    public static Task<OffboardingEvidence> CreateAsync(OffboardingRegister register, AuditTrail audit, IReadOnlyCollection<string> trustedKeyIds,
        string caseId, CancellationToken cancellationToken) =>
        CreateAsync(register, new OffboardingTrailReading(audit, trustedKeyIds), caseId, cancellationToken);

    /// <summary>
    /// The record of case <paramref name="caseId"/>, made from the trail as <paramref name="reading"/> holds it, so a
    /// command exporting several cases reads and verifies the trail once. Fails as the overload with an audit trail does.
    /// </summary>
    public static async Task<OffboardingEvidence> CreateAsync(OffboardingRegister register, OffboardingTrailReading reading, string caseId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(register);
        ArgumentNullException.ThrowIfNull(reading);
        AuditTrail audit = reading.Audit ?? throw new ArgumentException("Evidence is made from the store's trail, not from an exported one.", nameof(reading));
        OffboardingCase stored = await register.GetAsync(caseId, cancellationToken).ConfigureAwait(false);
        string target = OffboardingRegister.Target(stored.CaseId);
        OffboardingTrailReading.Snapshot snapshot = await reading.GetAsync(cancellationToken).ConfigureAwait(false);
        // The case's own events come from the store's index on target, read after the trail so none the trail holds is missed.
        List<AuditEvent> caseEvents = CaseEvents(audit, target, cancellationToken);
        // A case changed since the trail was read would disagree with the reading: read it again, rather than refuse the
        // case as edited behind IsmsOps's back. An earlier export of it in this same command changes nothing it records.
        if (caseEvents.Any(e => e.Sequence > snapshot.Verification.HeadSequence && e.Action != OffboardingAuditActions.EvidenceExported))
        {
            snapshot = await reading.RefreshAsync(cancellationToken).ConfigureAwait(false);
            caseEvents = CaseEvents(audit, target, cancellationToken);
        }

        AuditVerificationResult verification = snapshot.Verification;
        if (!verification.IsValid)
        {
            throw new IsmsException("IsmsOps.Evidence.TrailInvalid", IsmsErrorKind.SecurityError,
                $"No evidence was exported for {stored.CaseId}: the audit trail does not verify ({verification.Message}) and evidence is only as good as the trail.",
                "Run Test-IsmsAuditTrail, treat the break as a security incident, and restore the store from a backup that verifies.", stored.CaseId);
        }

        AuditCheckpoint checkpoint = snapshot.NewestCheckpoint
            ?? throw new IsmsException("IsmsOps.Evidence.TrailInvalid", IsmsErrorKind.SecurityError,
                $"No evidence was exported for {stored.CaseId}: the trail has no signed checkpoint to anchor it to.",
                "Run Test-IsmsAuditTrail.", stored.CaseId);
        List<AuditEvent> events = caseEvents.Where(e => e.Sequence <= verification.HeadSequence).ToList();

        OffboardingEvidence record = Build(stored, events, verification, checkpoint, DateTimeOffset.UtcNow);
        TrailView trail = TrailView.From(snapshot, record)
            ?? TrailView.Collect(reading.ReadAllAgain(cancellationToken), verification, snapshot.Source, record);
        OffboardingEvidenceCheck check = OffboardingEvidenceChecker.Check(record, JsonFileName(stored.CaseId), "(not written yet)", trail, reading.TrustedKeyIds);
        if (!check.Valid)
        {
            string problems = string.Join(" ", check.Findings.Where(f => f.Severity == OffboardingEvidenceSeverity.Error).Take(5)
                .Select(f => $"[{f.Subject}{(f.Field is null ? "" : " " + f.Field)}] {f.Message}"));
            throw new IsmsException("IsmsOps.Evidence.Inconsistent", IsmsErrorKind.InvalidData,
                $"No evidence was exported for {stored.CaseId}: the stored case disagrees with its audit events. {problems}",
                "The case was changed outside IsmsOps. Compare Get-IsmsOffboarding with Get-IsmsAuditEvent -Target offboarding:<CaseId> and treat it as a security incident.",
                stored.CaseId);
        }

        return record;
    }

    /// <summary>
    /// Writes the record and page of case <paramref name="caseId"/> into <paramref name="folder"/> (which must exist),
    /// and audits the export. Without <paramref name="overwrite"/>, existing files are left alone and the export fails
    /// with <c>IsmsOps.Evidence.Exists</c>. Both files are written under temporary names and moved into place after the
    /// audit event is stored, so a failure leaves neither file, half-written or otherwise.
    /// </summary>
    public static Task<OffboardingEvidenceExportResult> WriteAsync(OffboardingRegister register, AuditTrail audit, IReadOnlyCollection<string> trustedKeyIds,
        string caseId, string folder, bool overwrite, OperationContext context, CancellationToken cancellationToken) =>
        WriteAsync(register, new OffboardingTrailReading(audit, trustedKeyIds), caseId, folder, overwrite, context, cancellationToken);

    /// <summary>
    /// Writes the record and page of case <paramref name="caseId"/> as the overload with an audit trail does, from the
    /// trail as <paramref name="reading"/> holds it: a command exporting several cases reads the trail once.
    /// </summary>
    public static async Task<OffboardingEvidenceExportResult> WriteAsync(OffboardingRegister register, OffboardingTrailReading reading, string caseId,
        string folder, bool overwrite, OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reading);
        AuditTrail audit = reading.Audit ?? throw new ArgumentException("Evidence is made from the store's trail, not from an exported one.", nameof(reading));
        ArgumentException.ThrowIfNullOrWhiteSpace(caseId);
        if (!Directory.Exists(folder))
        {
            throw new IsmsException("IsmsOps.Evidence.FolderNotFound", IsmsErrorKind.NotFound,
                $"The destination folder '{folder}' does not exist{(File.Exists(folder) ? " (it is a file)" : "")}. Nothing was written.",
                "Give -Path an existing folder; the files are named <CaseId>.evidence.json and <CaseId>.evidence.html.", folder);
        }

        if (caseId.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || caseId.Contains("..", StringComparison.Ordinal))
        {
            throw OffboardingRegister.NotFound(caseId);
        }

        string jsonPath = Path.Combine(folder, JsonFileName(caseId));
        string htmlPath = Path.Combine(folder, HtmlFileName(caseId));
        RefuseToOverwrite(jsonPath, htmlPath, overwrite);

        OffboardingEvidence record = await CreateAsync(register, reading, caseId, cancellationToken).ConfigureAwait(false);
        byte[] json = OffboardingEvidenceFile.Serialize(record);
        string jsonSha256 = OffboardingEvidenceFile.Sha256(json);
        byte[] html = Encoding.UTF8.GetBytes(OffboardingEvidenceHtml.Render(record, Path.GetFileName(jsonPath), jsonSha256));

        string jsonTemporary = jsonPath + ".partial", htmlTemporary = htmlPath + ".partial";
        try
        {
            WriteDurably(jsonTemporary, json);
            WriteDurably(htmlTemporary, html);
            RefuseToOverwrite(jsonPath, htmlPath, overwrite);
            var details = new AuditDetails()
                .Add("CaseId", record.Case.CaseId)
                .Add("JsonFile", Path.GetFileName(jsonPath))
                .Add("JsonSha256", jsonSha256)
                .Add("HtmlSha256", OffboardingEvidenceFile.Sha256(html))
                .Add("FirstEventSequence", record.Events[0].Sequence)
                .Add("LastEventSequence", record.Events[^1].Sequence)
                .Add("CheckpointSequence", record.Trail.Checkpoint.Sequence);
            IReadOnlyList<AuditEvent> exported = await audit.AppendAsync(
                [new AuditEventDraft(OffboardingAuditActions.EvidenceExported, OffboardingRegister.Target(record.Case.CaseId), details.ToJson())], context, cancellationToken)
                .ConfigureAwait(false);
            File.Move(jsonTemporary, jsonPath, overwrite);
            File.Move(htmlTemporary, htmlPath, overwrite);
            return new OffboardingEvidenceExportResult
            {
                CaseId = record.Case.CaseId,
                PersonId = record.Case.PersonId,
                Status = record.Case.Status,
                JsonPath = jsonPath,
                HtmlPath = htmlPath,
                JsonSha256 = jsonSha256,
                EventCount = record.Events.Count,
                FirstEventSequence = record.Events[0].Sequence,
                LastEventSequence = record.Events[^1].Sequence,
                DeadlineBreached = record.Case.DeadlineBreached,
                NothingRemovableRemains = record.Verification?.NothingRemovableRemains,
                ExportEventSequence = exported[0].Sequence,
            };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(jsonTemporary);
            TryDelete(htmlTemporary);
            throw new IsmsException("IsmsOps.Evidence.WriteFailed", IsmsErrorKind.WriteError,
                $"The evidence of {caseId} could not be written to '{folder}': {ex.Message}",
                "Check that the folder is writable and has space, then export again.", folder, ex);
        }
        catch
        {
            TryDelete(jsonTemporary);
            TryDelete(htmlTemporary);
            throw;
        }
    }

    /// <summary>The record of <paramref name="stored"/> from its audit events (oldest first), as of <paramref name="exportedAt"/>.</summary>
    internal static OffboardingEvidence Build(OffboardingCase stored, IReadOnlyList<AuditEvent> events, AuditVerificationResult verification,
        AuditCheckpoint checkpoint, DateTimeOffset exportedAt)
    {
        var lastStepEvent = new Dictionary<int, AuditEvent>();
        var confirmations = new Dictionary<int, AuditEvent>();
        AuditEvent? verified = null;
        foreach (AuditEvent e in events)
        {
            if (e.Action == OffboardingAuditActions.Verified)
            {
                verified = e;
            }
            else if (OffboardingAuditActions.IsStepAction(e.Action) && EventJson.StepSequence(e) is int sequence)
            {
                lastStepEvent[sequence] = e;
                if (EventJson.StatusChange(e) is (nameof(OffboardingStepStatus.ManualTask), nameof(OffboardingStepStatus.Done)))
                {
                    confirmations[sequence] = e;
                }
            }
        }

        DateTimeOffset end = stored.ClosedAt ?? exportedAt;
        bool breached = end > stored.DueAt;
        return new OffboardingEvidence
        {
            Format = OffboardingEvidence.FormatName,
            ExportedAt = exportedAt,
            Case = new OffboardingEvidenceCase
            {
                CaseId = stored.CaseId,
                PersonId = stored.PersonId,
                UserId = stored.UserId,
                UserPrincipalName = stored.UserPrincipalName,
                Status = stored.Status,
                Urgency = stored.Urgency,
                EffectiveDate = stored.EffectiveDate,
                CreatedAt = stored.CreatedAt,
                DueAt = stored.DueAt,
                ClosedAt = stored.ClosedAt,
                DeadlineBreached = breached,
                OverdueBy = breached ? end - stored.DueAt : null,
                Version = stored.Version,
            },
            Steps = stored.Steps.OrderBy(s => s.Sequence).Select(s => new OffboardingEvidenceStep
            {
                Sequence = s.Sequence,
                Kind = s.Kind,
                ResourceId = s.ResourceId,
                ResourceDisplayName = s.ResourceDisplayName,
                AssignmentId = s.AssignmentId,
                Detail = s.Detail,
                Status = s.Status,
                Reason = s.Reason,
                Attempts = s.Attempts,
                GraphRequestId = s.GraphRequestId,
                BeforeState = s.BeforeState,
                AfterState = s.AfterState,
                StartedAt = s.StartedAt,
                CompletedAt = s.CompletedAt,
                ConfirmedBy = confirmations.GetValueOrDefault(s.Sequence)?.Actor,
                ConfirmedAt = confirmations.GetValueOrDefault(s.Sequence) is { } c ? new DateTimeOffset(c.Time, TimeSpan.Zero) : null,
                EventSequence = lastStepEvent.GetValueOrDefault(s.Sequence)?.Sequence,
            }).ToList(),
            Verification = verified is null ? null : EventJson.Verification(verified),
            Events = events,
            Trail = new OffboardingEvidenceTrail
            {
                Source = verification.Source,
                HeadSequence = verification.HeadSequence,
                HeadHash = verification.HeadHash ?? AuditHash.Genesis,
                VerifiedAt = exportedAt,
                VerificationMessage = verification.Message,
                Checkpoint = checkpoint,
            },
        };
    }

    private static List<AuditEvent> CaseEvents(AuditTrail audit, string target, CancellationToken cancellationToken) =>
        audit.Find(new AuditEventQuery { Targets = [target] }, [], [target], cancellationToken).ToList();

    private static void RefuseToOverwrite(string jsonPath, string htmlPath, bool overwrite)
    {
        if (!overwrite && (File.Exists(jsonPath) || File.Exists(htmlPath)))
        {
            string existing = File.Exists(jsonPath) ? jsonPath : htmlPath;
            throw new IsmsException("IsmsOps.Evidence.Exists", IsmsErrorKind.AlreadyExists,
                $"'{existing}' already exists. Nothing was written.",
                "Add -Force to replace the existing evidence, or export to another folder.", existing);
        }
    }

    private static void WriteDurably(string path, byte[] bytes)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Reads what the builder needs from an offboarding event's details.</summary>
    private static class EventJson
    {
        public static int? StepSequence(AuditEvent e)
        {
            using var document = System.Text.Json.JsonDocument.Parse(e.Details);
            return document.RootElement.TryGetProperty("Sequence", out var s) && s.TryGetInt32(out int sequence) ? sequence : null;
        }

        public static (string? From, string? To) StatusChange(AuditEvent e)
        {
            using var document = System.Text.Json.JsonDocument.Parse(e.Details);
            if (document.RootElement.TryGetProperty("changes", out var changes) && changes.TryGetProperty("Status", out var status))
            {
                return (status.TryGetProperty("from", out var from) ? from.GetString() : null, status.TryGetProperty("to", out var to) ? to.GetString() : null);
            }

            return (null, null);
        }

        public static OffboardingEvidenceVerification Verification(AuditEvent e)
        {
            using var document = System.Text.Json.JsonDocument.Parse(e.Details);
            var root = document.RootElement;
            static DateTimeOffset? Time(System.Text.Json.JsonElement parent, string name) =>
                parent.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String
                    ? new DateTimeOffset(AuditEvent.ParseTime(v.GetString()!), TimeSpan.Zero)
                    : null;
            return new OffboardingEvidenceVerification
            {
                EventSequence = e.Sequence,
                VerifiedAt = Time(root, "VerifiedAt") ?? new DateTimeOffset(e.Time, TimeSpan.Zero),
                AccountEnabled = root.GetProperty("AccountEnabled").GetBoolean(),
                SignInSessionsValidFrom = Time(root, "SignInSessionsValidFrom"),
                NothingRemovableRemains = root.GetProperty("NothingRemovableRemains").GetBoolean(),
                Remaining = root.TryGetProperty("Remaining", out var list) && list.ValueKind == System.Text.Json.JsonValueKind.Array
                    ? list.EnumerateArray().Select(r => new OffboardingEvidenceRemaining
                    {
                        Kind = r.GetProperty("Kind").GetString()!,
                        ResourceId = r.GetProperty("ResourceId").GetString()!,
                        RemovableThroughGraph = r.GetProperty("RemovableThroughGraph").GetBoolean(),
                        ActingSystem = r.GetProperty("ActingSystem").GetString()!,
                        Why = r.GetProperty("Why").GetString()!,
                    }).ToList()
                    : [],
            };
        }
    }
}
