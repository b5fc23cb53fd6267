using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Storage;

namespace IsmsOps.Engine.Tests.Offboarding;

/// <summary>The evidence record of a real offboarding: what it holds, and that an edit of any kind is caught and named.</summary>
public sealed class OffboardingEvidenceTests(EvidenceFixture fixture) : IClassFixture<EvidenceFixture>
{
    private EvidenceScenario S => fixture.Scenario;

    private OffboardingEvidence Record => OffboardingEvidenceFile.Read(S.Export.JsonPath).Record;

    [Fact]
    public void The_record_holds_the_case_header_every_step_as_stored_and_the_events_behind_them()
    {
        OffboardingEvidence record = Record;
        OffboardingCase stored = S.Case;

        Assert.Equal(OffboardingEvidence.FormatName, record.Format);
        Assert.Equal(stored.CaseId, record.Case.CaseId);
        Assert.Equal(S.Leaver.User.Id, record.Case.UserId);
        Assert.Equal(S.Leaver.User.UserPrincipalName, record.Case.UserPrincipalName);
        Assert.Equal(OffboardingCaseStatus.CompletedWithManualTasks, stored.Status);
        Assert.Equal(stored.Status, record.Case.Status);
        Assert.Equal(stored.DueAt, record.Case.DueAt);
        Assert.Equal(stored.ClosedAt, record.Case.ClosedAt);
        Assert.False(record.Case.DeadlineBreached);
        Assert.Null(record.Case.OverdueBy);
        Assert.Equal(stored.Steps.Select(s => (s.Sequence, s.Kind, s.ResourceId, s.Status, s.GraphRequestId, s.BeforeState, s.AfterState, s.CompletedAt)),
            record.Steps.Select(s => (s.Sequence, s.Kind, s.ResourceId, s.Status, s.GraphRequestId, s.BeforeState, s.AfterState, s.CompletedAt)));

        List<AuditEvent> trail = S.Home.Events().Where(e => e.Target == OffboardingRegister.Target(stored.CaseId) && e.Sequence <= record.Events[^1].Sequence).ToList();
        Assert.Equal(trail.Select(e => (e.Sequence, e.Hash, e.Details)), record.Events.Select(e => (e.Sequence, e.Hash, e.Details)));
        Assert.Equal(OffboardingAuditActions.CaseOpened, record.Events[0].Action);
        // Manual tasks planned as such are never run, so only the plan (CaseOpened) speaks for them until confirmed.
        Assert.All(record.Steps.Where(s => s.EventSequence is null), s => Assert.Equal(OffboardingStepStatus.ManualTask, s.Status));
        foreach (OffboardingEvidenceStep step in record.Steps.Where(s => s.EventSequence is not null))
        {
            AuditEvent last = Assert.Single(record.Events, e => e.Sequence == step.EventSequence);
            Assert.Contains($"\"Sequence\":{step.Sequence}", last.Details, StringComparison.Ordinal);
        }

        // A removal Graph did carries Graph's request-id and the directory's state before it.
        Assert.Contains(record.Steps, s => s.Kind == OffboardingStepKind.RemoveGroupMembership && s.Status == OffboardingStepStatus.Done
            && s.GraphRequestId is { Length: > 0 } && s.BeforeState is not null);
        Assert.True(record.Trail.Checkpoint.Sequence >= record.Events[^1].Sequence);
        Assert.Equal(record.Trail.Checkpoint.HeadHash, S.Home.Events().Single(e => e.Sequence == record.Trail.Checkpoint.Sequence).Hash);
    }

    [Fact]
    public void The_manual_task_a_person_confirmed_names_them_and_the_open_verification_names_what_remains_in_the_sandbox()
    {
        OffboardingEvidence record = Record;
        OffboardingEvidenceStep confirmed = record.Steps.Single(s => s.Sequence == S.ConfirmedSequence);
        OffboardingEvidenceVerification verification = Assert.IsType<OffboardingEvidenceVerification>(record.Verification);

        Assert.Equal(OffboardingStepStatus.Done, confirmed.Status);
        Assert.Equal("service.desk@host", confirmed.ConfirmedBy);
        Assert.StartsWith("Confirmed by service.desk@host: Removed in AD, CHG0042", confirmed.Reason, StringComparison.Ordinal);
        Assert.All(record.Steps.Where(s => s.Sequence != S.ConfirmedSequence), s => Assert.Null(s.ConfirmedBy));
        Assert.True(verification.NothingRemovableRemains);
        Assert.False(verification.AccountEnabled);
        Assert.False(S.Leaver.User.AccountEnabled);
        // What the directory still holds is what the verification lists: the groups another system owns.
        foreach (var group in new[] { S.Leaver.DynamicGroup, S.Leaver.SyncedGroup, S.Leaver.MailEnabledGroup })
        {
            Assert.Contains(S.Leaver.User, group.Members);
            OffboardingEvidenceRemaining left = Assert.Single(verification.Remaining, r => r.ResourceId == group.Id);
            Assert.False(left.RemovableThroughGraph);
            Assert.False(string.IsNullOrWhiteSpace(left.Why));
        }
    }

    [Fact]
    public void The_verification_is_audited_before_the_case_closes_with_ids_and_reasons_but_no_names()
    {
        List<AuditEvent> events = S.Home.Events().Where(e => e.Target == OffboardingRegister.Target(S.Case.CaseId)).ToList();
        AuditEvent verified = Assert.Single(events, e => e.Action == OffboardingAuditActions.Verified);
        AuditEvent closed = events.First(e => e.Action == "Offboarding.CaseClosed");

        Assert.True(verified.Sequence < closed.Sequence);
        Assert.Contains(S.Leaver.DynamicGroup.Id, verified.Details, StringComparison.Ordinal);
        Assert.DoesNotContain(S.Leaver.User.DisplayName!, verified.Details, StringComparison.Ordinal);
        Assert.DoesNotContain(S.Leaver.User.UserPrincipalName, verified.Details, StringComparison.Ordinal);
        Assert.All(S.Leaver.Reports, r => Assert.DoesNotContain(r.DisplayName!, verified.Details, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_untouched_record_checks_against_the_store_and_the_export_event_names_the_file()
    {
        OffboardingEvidenceCheck check = await S.CheckAsync(S.Export.JsonPath);

        Assert.True(check.Valid, check.Message + "\n" + string.Join("\n", check.Findings.Select(f => $"{f.Subject} {f.Field}: {f.Message}")));
        Assert.DoesNotContain(check.Findings, f => f.Severity == OffboardingEvidenceSeverity.Error);
        Assert.Equal(S.Export.JsonSha256, check.FileSha256);
        Assert.Contains(check.Findings, f => f.Subject == "file" && f.Message.Contains($"exported at event {S.Export.ExportEventSequence}", StringComparison.Ordinal));
        AuditEvent exported = S.Home.Events().Single(e => e.Sequence == S.Export.ExportEventSequence);
        Assert.Equal(OffboardingAuditActions.EvidenceExported, exported.Action);
        Assert.Contains(S.Export.JsonSha256, exported.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_record_checks_offline_against_an_exported_trail_and_only_with_the_organisations_key()
    {
        string trail = Path.Combine(S.Home.Home, "trail-" + Guid.NewGuid().ToString("N") + ".jsonl");
        await S.Home.Workspace.Audit.ExportAsync(trail, overwrite: false, CancellationToken.None);

        OffboardingEvidenceCheck trusted = OffboardingEvidenceChecker.CheckAgainstExport(S.Export.JsonPath, trail, [S.Home.Workspace.Audit.SigningKeyId], CancellationToken.None);
        OffboardingEvidenceCheck stranger = OffboardingEvidenceChecker.CheckAgainstExport(S.Export.JsonPath, trail, [new string('a', 64)], CancellationToken.None);

        Assert.True(trusted.Valid, trusted.Message);
        Assert.Equal(trail, trusted.TrailSource);
        Assert.False(stranger.Valid);
        Assert.Contains(stranger.Findings, f => f.Subject == "trail" && f.Message.Contains("not trusted", StringComparison.Ordinal));
        Assert.Contains(stranger.Findings, f => f.Subject == "checkpoint" && f.Field == "keyId");
    }

    public static TheoryData<string> Edits => new(EditsByName.Keys);

    [Theory]
    [MemberData(nameof(Edits))]
    public async Task Every_kind_of_edit_to_the_record_is_caught_and_names_what_was_edited(string edit)
    {
        (Action<JsonObject, OffboardingEvidence> apply, Func<OffboardingEvidence, string> subject, string field) = EditsByName[edit];
        OffboardingEvidence original = Record;
        JsonObject json = JsonNode.Parse(File.ReadAllText(S.Export.JsonPath))!.AsObject();
        apply(json, original);
        string path = Path.Combine(S.Home.Home, $"edited-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        OffboardingEvidenceCheck check = await S.CheckAsync(path);

        string expected = subject(original);
        Assert.False(check.Valid, $"{edit} was not caught");
        Assert.True(check.Findings.Any(f => f.Severity == OffboardingEvidenceSeverity.Error && f.Subject == expected && (f.Field ?? "").Contains(field, StringComparison.Ordinal)),
            $"{edit}: expected an error on {expected} {field}; got:\n" + string.Join("\n", check.Findings.Select(f => $"{f.Severity} [{f.Subject}] {f.Field}: {f.Message}")));
        Assert.StartsWith($"The record of {original.Case.CaseId} does not agree", check.Message, StringComparison.Ordinal);
    }

    private static OffboardingEvidenceStep DoneRemoval(OffboardingEvidence r) =>
        r.Steps.First(s => s.Kind == OffboardingStepKind.RemoveGroupMembership && s.Status == OffboardingStepStatus.Done && s.GraphRequestId is not null);

    private static JsonObject Step(JsonObject json, int sequence) =>
        json["steps"]!.AsArray().Select(n => n!.AsObject()).Single(s => (int)s["sequence"]! == sequence);

    private static string StepSubject(OffboardingEvidenceStep s) => $"step {s.Sequence}";

    private static JsonObject Event(JsonObject json, long sequence) =>
        json["events"]!.AsArray().Select(n => n!.AsObject()).Single(e => (long)e["seq"]! == sequence);

    private static AuditEvent Settled(OffboardingEvidence r) => r.Events.First(e => e.Sequence == DoneRemoval(r).EventSequence);

    private static string Later(string time) => AuditEvent.FormatTime(DateTime.Parse(time, null, System.Globalization.DateTimeStyles.AdjustToUniversal).AddHours(1));

    private static readonly Dictionary<string, (Action<JsonObject, OffboardingEvidence> Apply, Func<OffboardingEvidence, string> Subject, string Field)> EditsByName = new()
    {
        ["a step's status"] = ((j, r) => Step(j, DoneRemoval(r).Sequence)["status"] = "Failed", r => StepSubject(DoneRemoval(r)), "status"),
        ["a step's Graph request-id"] = ((j, r) => Step(j, DoneRemoval(r).Sequence)["graphRequestId"] = Guid.NewGuid().ToString(), r => StepSubject(DoneRemoval(r)), "graphRequestId"),
        ["a step's completion time"] = ((j, r) => Step(j, DoneRemoval(r).Sequence)["completedAt"] = Later((string)Step(j, DoneRemoval(r).Sequence)["completedAt"]!),
            r => StepSubject(DoneRemoval(r)), "completedAt"),
        ["a step's before state"] = ((j, r) => Step(j, DoneRemoval(r).Sequence)["beforeState"] = "{}", r => StepSubject(DoneRemoval(r)), "beforeState"),
        ["who confirmed a manual task"] = ((j, r) => Step(j, r.Steps.Single(s => s.ConfirmedBy is not null).Sequence)["confirmedBy"] = "someone.else@host",
            r => StepSubject(r.Steps.Single(s => s.ConfirmedBy is not null)), "confirmedBy"),
        ["a step left out"] = ((j, r) => j["steps"]!.AsArray().RemoveAt(0), r => StepSubject(r.Steps[0]), ""),
        ["the deadline"] = ((j, r) => j["case"]!["dueAt"] = Later((string)j["case"]!["dueAt"]!), r => "case", "dueAt"),
        ["the close time"] = ((j, r) => j["case"]!["closedAt"] = Later((string)j["case"]!["closedAt"]!), r => "case", "closedAt"),
        ["the breach flag"] = ((j, r) => j["case"]!["deadlineBreached"] = true, r => "case", "deadlineBreached"),
        ["the case status"] = ((j, r) => j["case"]!["status"] = "Failed", r => "case", "status"),
        ["the verification verdict"] = ((j, r) => j["verification"]!["nothingRemovableRemains"] = false, r => "verification", "nothingRemovableRemains"),
        ["a remaining item dropped"] = ((j, r) => j["verification"]!["remaining"]!.AsArray().RemoveAt(0), r => "verification", "remaining"),
        ["an event's details"] = ((j, r) => Event(j, Settled(r).Sequence)["details"] = Settled(r).Details.Replace("\"Done\"", "\"Skipped\"", StringComparison.Ordinal),
            r => $"event {Settled(r).Sequence}", "hash"),
        ["an event's details, re-hashed"] = ((j, r) =>
        {
            AuditEvent forged = Settled(r) with { Details = Settled(r).Details.Replace("\"Done\"", "\"Skipped\"", StringComparison.Ordinal) };
            Event(j, forged.Sequence)["details"] = forged.Details;
            Event(j, forged.Sequence)["hash"] = AuditHash.ComputeEventHash(forged);
        }, r => $"event {Settled(r).Sequence}", "details"),
        ["an event's actor"] = ((j, r) => Event(j, r.Events[1].Sequence)["actor"] = "mallory@host", r => $"event {r.Events[1].Sequence}", "hash"),
        ["an event left out"] = ((j, r) => j["events"]!.AsArray().RemoveAt(2), r => $"event {r.Events[2].Sequence}", ""),
        ["the checkpoint's signature"] = ((j, r) =>
        {
            byte[] signature = Convert.FromBase64String((string)j["trail"]!["checkpoint"]!["signature"]!);
            signature[0] ^= 1;
            j["trail"]!["checkpoint"]!["signature"] = Convert.ToBase64String(signature);
        }, r => "checkpoint", "signature"),
    };

    [Fact]
    public async Task A_record_checked_against_a_trail_without_its_events_names_each_missing_event()
    {
        using var other = new TempWorkspace();
        await other.AppendEventsAsync(3);

        OffboardingEvidenceCheck check = await OffboardingEvidenceChecker.CheckAgainstStoreAsync(S.Export.JsonPath, other.Workspace.Audit, [], CancellationToken.None);

        Assert.False(check.Valid);
        foreach (AuditEvent e in Record.Events.Where(e => e.Sequence > 3))
        {
            Assert.Contains(check.Findings, f => f.Subject == $"event {e.Sequence}" && f.Message.Contains("is not in the trail", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_second_export_without_Force_is_refused_and_leaves_the_first_files_as_they_were()
    {
        byte[] before = File.ReadAllBytes(S.Export.JsonPath);

        var refused = await Assert.ThrowsAsync<IsmsException>(() => S.ExportAsync(overwrite: false));
        var missing = await Assert.ThrowsAsync<IsmsException>(() => S.ExportAsync(overwrite: false, folder: Path.Combine(S.Home.Home, "no-such-folder")));

        Assert.Equal("IsmsOps.Evidence.Exists", refused.ErrorId);
        Assert.Equal("IsmsOps.Evidence.FolderNotFound", missing.ErrorId);
        Assert.Equal(before, File.ReadAllBytes(S.Export.JsonPath));
        Assert.Empty(Directory.GetFiles(S.Folder, "*.partial"));
    }

    [Fact]
    public void The_record_holds_no_token_or_secret()
    {
        string json = File.ReadAllText(S.Export.JsonPath);
        string html = File.ReadAllText(S.Export.HtmlPath);

        foreach (string text in new[] { json, html })
        {
            Assert.DoesNotContain(S.Graph.Sandbox.AccessToken, text, StringComparison.Ordinal);
            Assert.DoesNotContain("Bearer ", text, StringComparison.Ordinal);
            Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_damaged_or_foreign_file_is_refused_with_its_line_and_its_own_error_id()
    {
        string damaged = Path.Combine(S.Home.Home, "damaged.json");
        string foreign = Path.Combine(S.Home.Home, "foreign.json");
        File.WriteAllText(damaged, File.ReadAllText(S.Export.JsonPath)[..400]);
        File.WriteAllText(foreign, "{\"format\":\"Something.Else.v1\"}");

        var unreadable = Assert.Throws<IsmsException>(() => OffboardingEvidenceFile.Read(damaged));
        var unsupported = Assert.Throws<IsmsException>(() => OffboardingEvidenceFile.Read(foreign));
        var absent = Assert.Throws<IsmsException>(() => OffboardingEvidenceFile.Read(damaged + ".nope"));

        Assert.Equal("IsmsOps.Evidence.Unreadable", unreadable.ErrorId);
        Assert.Matches(@"damaged\.json:\d+", unreadable.Message);
        Assert.Equal("IsmsOps.Evidence.UnsupportedFormat", unsupported.ErrorId);
        Assert.Equal("IsmsOps.Evidence.NotFound", absent.ErrorId);
    }
}

/// <summary>Evidence when the store itself was tampered with, or the deadline was missed; each needs its own store.</summary>
public sealed class OffboardingEvidenceTamperTests
{
    [Fact]
    public async Task A_record_checked_against_a_tampered_trail_fails_and_names_the_edited_event()
    {
        using EvidenceScenario s = await EvidenceScenario.CreateAsync();
        OffboardingEvidence record = OffboardingEvidenceFile.Read(s.Export.JsonPath).Record;
        AuditEvent victim = record.Events[1];
        s.Home.Sql("UPDATE audit_event SET details = $d WHERE seq = $s;", ("$d", victim.Details + " "), ("$s", victim.Sequence));

        OffboardingEvidenceCheck check = await s.CheckAsync(s.Export.JsonPath);

        Assert.False(check.Valid);
        Assert.Contains(check.Findings, f => f.Subject == "trail" && f.Message.Contains($"Event {victim.Sequence} was edited", StringComparison.Ordinal));
        Assert.Contains(check.Findings, f => f.Subject == $"event {victim.Sequence}" && f.Field == "details");
    }

    [Fact]
    public async Task A_case_edited_in_the_store_behind_the_trails_back_is_refused_for_export_and_writes_no_file()
    {
        using EvidenceScenario s = await EvidenceScenario.CreateAsync();
        OffboardingStep done = s.Case.Steps.First(x => x.Kind == OffboardingStepKind.RemoveGroupMembership && x.Status == OffboardingStepStatus.Done);
        s.Home.Sql("UPDATE offboarding_step SET graph_request_id = 'forged' WHERE case_id = $c AND sequence = $n;", ("$c", s.Case.CaseId), ("$n", done.Sequence));
        string folder = Directory.CreateTempSubdirectory("ismsops-evidence-").FullName;
        long eventsBefore = s.Home.Events().Count;

        var refused = await Assert.ThrowsAsync<IsmsException>(() => s.ExportAsync(overwrite: false, folder: folder));

        Assert.Equal("IsmsOps.Evidence.Inconsistent", refused.ErrorId);
        Assert.Contains($"step {done.Sequence} graphRequestId", refused.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(folder));
        Assert.Equal(eventsBefore, s.Home.Events().Count);
    }

    [Fact]
    public async Task A_leaver_offboarded_after_the_deadline_is_recorded_as_a_breach_by_how_long()
    {
        using EvidenceScenario s = await EvidenceScenario.CreateAsync(OffboardingUrgency.Immediate, DateTimeOffset.UtcNow.AddHours(-3));
        OffboardingEvidence record = OffboardingEvidenceFile.Read(s.Export.JsonPath).Record;

        Assert.True(record.Case.DeadlineBreached);
        Assert.InRange(record.Case.OverdueBy!.Value, TimeSpan.FromHours(3), TimeSpan.FromHours(4));
        Assert.Equal(record.Case.ClosedAt - record.Case.DueAt, record.Case.OverdueBy);
        Assert.Contains("\"Overdue\":true", record.Events.Last(e => e.Action == "Offboarding.CaseClosed").Details, StringComparison.Ordinal);
        Assert.True((await s.CheckAsync(s.Export.JsonPath)).Valid);
    }
}
