using System.Text;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Policies;
using IsmsOps.Engine.Protection;
using IsmsOps.Engine.Screening;

namespace IsmsOps.Engine.Tests.Screening;

public sealed class ScreeningRegisterTests : IDisposable
{
    private const string SecretNote = "Candidate disclosed a 2009 conviction-note-4711";
    private const string SecretFinding = "County court judgment finding-8842";

    private static readonly OperationContext Hr = new("hr.officer@host", null, "00000000-0000-0000-0000-00000000000a");
    private static readonly OperationContext Ciso = new("ciso@host", null, "00000000-0000-0000-0000-00000000000b");

    private readonly TempWorkspace _store = new();

    private ScreeningRegister Register => _store.Workspace.Screening;

    private async Task<ScreeningRecord> OpenAsync(ScreeningLevel level = ScreeningLevel.Standard, string? notes = null, string? country = null)
    {
        if (await _store.Workspace.Store.GetPersonAsync("E1001", CancellationToken.None) is null)
        {
            await _store.Workspace.People.CreateAsync(new Person { PersonId = "E1001", DisplayName = "Ada", Location = "GB" }, Hr, CancellationToken.None);
        }

        return await Register.CreateAsync(new ScreeningRecord { PersonId = "E1001", Level = level, Notes = notes, Country = country }, Hr, CancellationToken.None);
    }

    private Task<ScreeningRecord> SetAsync(ScreeningRecord s, Func<ScreeningRecord, ScreeningRecord> change, OperationContext? who = null) =>
        Register.UpdateAsync(s.ScreeningId, change, null, who ?? Hr, CancellationToken.None);

    private static ScreeningRecord AllClear(ScreeningRecord s) =>
        s with { Identity = ScreeningCheckResult.Clear, RightToWork = ScreeningCheckResult.Clear, CriminalRecord = ScreeningCheckResult.Clear, References = ScreeningCheckResult.Clear };

    private async Task<IsmsException> RefusedAsync(Func<Task> act)
    {
        long events = _store.Events().Count;
        IsmsException error = await Assert.ThrowsAsync<IsmsException>(act);
        Assert.Equal(events, _store.Events().Count);
        return error;
    }

    [Fact]
    public async Task A_new_screening_starts_with_the_policy_checks_pending_and_the_others_not_required()
    {
        ScreeningRecord s = await OpenAsync(ScreeningLevel.Standard);

        Assert.Equal(ScreeningStatus.NotStarted, s.Status);
        Assert.Equal("GB", s.Country);
        Assert.Equal(ScreeningCheckResult.Pending, s.CriminalRecord);
        Assert.Equal(ScreeningCheckResult.Pending, s.References);
        Assert.Equal(ScreeningCheckResult.NotRequired, s.Credit);
        Assert.Equal(ScreeningCheckResult.NotRequired, s.Education);
        Assert.StartsWith("scr-", s.ScreeningId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cleared_is_refused_until_every_required_check_is_clear_and_then_sets_the_rescreen_date_from_the_level()
    {
        ScreeningRecord s = await OpenAsync(ScreeningLevel.Enhanced);
        s = await SetAsync(s, r => r with { Status = ScreeningStatus.Requested });

        IsmsException error = await RefusedAsync(() => SetAsync(s, r => AllClear(r) with { Status = ScreeningStatus.Cleared }));
        Assert.Equal("IsmsOps.Screening.NotClear", error.ErrorId);
        Assert.Contains("Credit is Pending", error.Message, StringComparison.Ordinal);

        ScreeningRecord cleared = await SetAsync(s, r => AllClear(r) with
        {
            Status = ScreeningStatus.Cleared,
            Credit = ScreeningCheckResult.Clear,
            Education = ScreeningCheckResult.Clear,
            CompletedOn = new DateTime(2026, 3, 1),
        });

        Assert.Equal(ScreeningStatus.Cleared, cleared.Status);
        Assert.Equal(new DateTime(2029, 3, 1), cleared.RescreenDueOn);
        Assert.True((await Register.CheckClearanceAsync("E1001", ScreeningLevel.Standard, new DateTimeOffset(2029, 2, 28, 12, 0, 0, TimeSpan.Zero), CancellationToken.None)).Allowed);
        ScreeningClearance lapsed = await Register.CheckClearanceAsync("E1001", ScreeningLevel.Enhanced, new DateTimeOffset(2029, 3, 1, 0, 0, 0, TimeSpan.Zero), CancellationToken.None);
        Assert.False(lapsed.Allowed);
        Assert.Contains("re-screen was due on 2029-03-01", lapsed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Any_adverse_check_makes_an_open_screening_adverse_and_it_can_never_be_cleared_from_there()
    {
        ScreeningRecord s = await OpenAsync();

        ScreeningRecord adverse = await SetAsync(s, r => r with { Status = ScreeningStatus.InProgress, CriminalRecord = ScreeningCheckResult.Adverse });

        Assert.Equal(ScreeningStatus.Adverse, adverse.Status);
        Assert.NotNull(adverse.CompletedOn);
        IsmsException error = await RefusedAsync(() => SetAsync(adverse, r => AllClear(r) with { Status = ScreeningStatus.Cleared }));
        Assert.Equal("IsmsOps.Screening.InvalidTransition", error.ErrorId);
        Assert.False((await Register.CheckClearanceAsync("E1001", ScreeningLevel.Basic, DateTimeOffset.UtcNow, CancellationToken.None)).Allowed);
    }

    [Fact]
    public async Task A_required_check_cannot_be_marked_not_required_and_adverse_needs_an_adverse_result()
    {
        ScreeningRecord s = await OpenAsync();

        Assert.Equal("IsmsOps.Screening.CheckRequired",
            (await RefusedAsync(() => SetAsync(s, r => r with { CriminalRecord = ScreeningCheckResult.NotRequired }))).ErrorId);
        Assert.Equal("IsmsOps.Screening.NoAdverseResult",
            (await RefusedAsync(() => SetAsync(s, r => r with { Status = ScreeningStatus.Adverse }))).ErrorId);
    }

    [Fact]
    public async Task A_cleared_screening_only_expires_and_its_results_are_final()
    {
        ScreeningRecord s = await OpenAsync(ScreeningLevel.Basic);
        ScreeningRecord cleared = await SetAsync(s, r => r with { Status = ScreeningStatus.Cleared, Identity = ScreeningCheckResult.Clear, RightToWork = ScreeningCheckResult.Clear });

        Assert.Equal("IsmsOps.Screening.Closed", (await RefusedAsync(() => SetAsync(cleared, r => r with { Identity = ScreeningCheckResult.Adverse }))).ErrorId);
        Assert.Equal("IsmsOps.Screening.InvalidTransition", (await RefusedAsync(() => SetAsync(cleared, r => r with { Status = ScreeningStatus.InProgress }))).ErrorId);
        Assert.Equal(ScreeningStatus.Expired, (await SetAsync(cleared, r => r with { Status = ScreeningStatus.Expired })).Status);
    }

    [Fact]
    public async Task A_change_made_against_an_old_version_is_refused()
    {
        ScreeningRecord s = await OpenAsync();
        await SetAsync(s, r => r with { Provider = "Acme Checks" });

        IsmsException error = await RefusedAsync(() => Register.UpdateAsync(s.ScreeningId, r => r with { Provider = "Other" }, s.Version, Hr, CancellationToken.None));

        Assert.Equal("IsmsOps.Screening.Conflict", error.ErrorId);
        Assert.Equal("Acme Checks", (await Register.GetAsync(s.ScreeningId, CancellationToken.None)).Provider);
    }

    [Fact]
    public async Task A_waiver_counts_only_once_someone_other_than_its_requester_approves_it_and_only_until_it_expires()
    {
        ScreeningRecord s = await OpenAsync();
        ScreeningRecord waived = await SetAsync(s, r => r with { Status = ScreeningStatus.Waived, WaiverReason = "Start date before the provider can finish" });
        Assert.Equal(Hr.Actor, waived.WaiverRequestedBy);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        Assert.False((await Register.CheckClearanceAsync("E1001", ScreeningLevel.Standard, now, CancellationToken.None)).Allowed);

        IsmsException self = await RefusedAsync(() => Register.ApproveWaiverAsync(s.ScreeningId, "ok", now.UtcDateTime.AddDays(30), null, Hr, CancellationToken.None));
        Assert.Equal("IsmsOps.Screening.SelfApproval", self.ErrorId);
        Assert.Equal(IsmsErrorKind.PermissionDenied, self.Kind);
        Assert.Equal("IsmsOps.Screening.WaiverReasonMissing",
            (await RefusedAsync(() => Register.ApproveWaiverAsync(s.ScreeningId, " ", now.UtcDateTime.AddDays(30), null, Ciso, CancellationToken.None))).ErrorId);
        Assert.Equal("IsmsOps.Screening.WaiverExpiryInvalid",
            (await RefusedAsync(() => Register.ApproveWaiverAsync(s.ScreeningId, "ok", now.UtcDateTime.AddDays(365), null, Ciso, CancellationToken.None))).ErrorId);

        DateTime lastDay = now.UtcDateTime.Date.AddDays(30);
        ScreeningRecord approved = await Register.ApproveWaiverAsync(s.ScreeningId, "Accepted by CISO", lastDay, null, Ciso, CancellationToken.None);

        Assert.Equal(Ciso.Actor, approved.WaiverApprovedBy);
        ScreeningClearance during = await Register.CheckClearanceAsync("E1001", ScreeningLevel.Standard, new DateTimeOffset(lastDay.AddHours(23), TimeSpan.Zero), CancellationToken.None);
        Assert.True(during.Allowed);
        Assert.Equal(ScreeningStatus.Waived, during.Basis);
        ScreeningClearance after = await Register.CheckClearanceAsync("E1001", ScreeningLevel.Standard, new DateTimeOffset(lastDay.AddDays(1), TimeSpan.Zero), CancellationToken.None);
        Assert.False(after.Allowed);
        Assert.Contains("expired", after.Reason, StringComparison.Ordinal);
        Assert.False((await Register.CheckClearanceAsync("E1001", ScreeningLevel.Enhanced, now, CancellationToken.None)).Allowed);
        AuditEvent evidence = _store.Events().Last();
        Assert.Equal("Screening.WaiverApproved", evidence.Action);
        Assert.Equal(Ciso.Actor, evidence.Actor);
    }

    [Fact]
    public async Task An_approval_preview_judges_by_the_registers_clock_and_policy_refuses_as_the_approval_would_and_changes_nothing()
    {
        // A clock years from the wall clock, and a policy allowing ten days: only the register's own can pass these.
        DateTime now = new(2031, 3, 10, 9, 30, 0, DateTimeKind.Utc);
        ScreeningPolicy policy = ScreeningPolicy.Default with { MaxWaiver = new IsoDuration(0, 0, 10, TimeSpan.Zero) };
        using IsmsWorkspace workspace = IsmsWorkspace.Open(_store.Location, clock: () => now, screeningPolicy: () => policy);
        await workspace.People.CreateAsync(new Person { PersonId = "E3003", DisplayName = "Cy", Location = "GB" }, Hr, CancellationToken.None);
        ScreeningRecord s = await workspace.Screening.CreateAsync(new ScreeningRecord { PersonId = "E3003", Level = ScreeningLevel.Standard }, Hr, CancellationToken.None);
        ScreeningRecord waived = await workspace.Screening.UpdateAsync(s.ScreeningId, r => r with { Status = ScreeningStatus.Waived, WaiverReason = "Provider backlog" },
            null, Hr, CancellationToken.None);

        Task Preview(string reason, DateTime lastDay, OperationContext who, long? version = null) =>
            workspace.Screening.PreviewApprovalAsync(s.ScreeningId, reason, lastDay, version, who, CancellationToken.None);

        Assert.Equal("IsmsOps.Screening.SelfApproval", (await RefusedAsync(() => Preview("ok", now.AddDays(5), Hr))).ErrorId);
        Assert.Equal("IsmsOps.Screening.WaiverReasonMissing", (await RefusedAsync(() => Preview(" ", now.AddDays(5), Ciso))).ErrorId);
        Assert.Equal("IsmsOps.Screening.WaiverExpiryInvalid", (await RefusedAsync(() => Preview("ok", now.AddDays(11), Ciso))).ErrorId);
        Assert.Equal("IsmsOps.Screening.WaiverExpiryInvalid", (await RefusedAsync(() => Preview("ok", DateTime.UtcNow.Date, Ciso))).ErrorId);
        Assert.Equal("IsmsOps.Screening.Conflict", (await RefusedAsync(() => Preview("ok", now.AddDays(5), Ciso, waived.Version - 1))).ErrorId);

        ScreeningRecord previewed = await workspace.Screening.PreviewApprovalAsync(s.ScreeningId, "ok", now.AddDays(10), waived.Version, Ciso, CancellationToken.None);
        ScreeningRecord stored = await workspace.Screening.GetAsync(s.ScreeningId, CancellationToken.None);

        Assert.Equal(waived.Version, previewed.Version);
        Assert.Equal(waived.Version, stored.Version);
        Assert.Null(stored.WaiverApprovedBy);
        ScreeningRecord approved = await workspace.Screening.ApproveWaiverAsync(s.ScreeningId, "ok", now.AddDays(10), waived.Version, Ciso, CancellationToken.None);
        Assert.Equal(now.Date, approved.WaiverApprovedAt!.Value.Date);
        Assert.Equal(now.Date.AddDays(10), approved.WaiverExpiresOn);
        Assert.Equal("IsmsOps.Screening.WaiverAlreadyApproved", (await RefusedAsync(() => Preview("again", now.AddDays(5), Ciso))).ErrorId);
    }

    [Fact]
    public async Task A_register_with_the_policy_read_once_reads_it_once_however_many_screenings_it_opens_changes_and_approves()
    {
        int reads = 0;
        ScreeningPolicy policy = ScreeningPolicy.Default;
        using IsmsWorkspace workspace = IsmsWorkspace.Open(_store.Location, screeningPolicy: () =>
        {
            reads++;
            return policy;
        });
        ScreeningRegister once = workspace.Screening.WithPolicyReadOnce();
        // Edits after the reading do not reach this command's register: every item is held to the same policy.
        policy = ScreeningPolicy.Default with { MaxWaiver = new IsoDuration(0, 0, 1, TimeSpan.Zero) };
        DateTime lastDay = DateTime.UtcNow.Date.AddDays(30);

        foreach (string personId in new[] { "E4001", "E4002", "E4003" })
        {
            await workspace.People.CreateAsync(new Person { PersonId = personId, DisplayName = personId, Location = "GB" }, Hr, CancellationToken.None);
            ScreeningRecord s = await once.CreateAsync(new ScreeningRecord { PersonId = personId, Level = ScreeningLevel.Standard }, Hr, CancellationToken.None);
            ScreeningRecord Waive(ScreeningRecord r) => r with { Status = ScreeningStatus.Waived, WaiverReason = "Provider backlog" };
            Assert.NotEmpty(await once.PreviewUpdateAsync(s.ScreeningId, Waive, Hr, CancellationToken.None));
            await once.UpdateAsync(s.ScreeningId, Waive, null, Hr, CancellationToken.None);
            await once.PreviewApprovalAsync(s.ScreeningId, "Accepted by the CISO", lastDay, null, Ciso, CancellationToken.None);
            await once.ApproveWaiverAsync(s.ScreeningId, "Accepted by the CISO", lastDay, null, Ciso, CancellationToken.None);
        }

        Assert.Equal(1, reads);
        // A new command reads the edited policy.
        Assert.Equal(new IsoDuration(0, 0, 1, TimeSpan.Zero), workspace.Screening.WithPolicyReadOnce().Policy.MaxWaiver);
        Assert.Equal(2, reads);
    }

    [Fact]
    public async Task Notes_and_findings_never_appear_in_plain_text_in_the_store_files_or_the_audit_trail()
    {
        ScreeningRecord s = await OpenAsync(notes: SecretNote);
        await SetAsync(s, r => r with { CriminalRecord = ScreeningCheckResult.Adverse, AdverseFindings = SecretFinding });

        ScreeningRecord stored = await Register.GetAsync(s.ScreeningId, CancellationToken.None);
        Assert.Null(stored.Notes);
        Assert.Null(stored.AdverseFindings);
        string files = Encoding.UTF8.GetString(RawStoreBytes());
        Assert.DoesNotContain("conviction-note-4711", files, StringComparison.Ordinal);
        Assert.DoesNotContain("finding-8842", files, StringComparison.Ordinal);
        Assert.All(_store.Events(), e => Assert.DoesNotContain("4711", e.Details, StringComparison.Ordinal));
        Assert.All(_store.Events(), e => Assert.DoesNotContain("8842", e.Details, StringComparison.Ordinal));
        Assert.Contains(_store.Events(), e => e.Action == "Screening.Updated" && e.Details.Contains("AdverseFindings", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_preview_names_each_change_without_showing_notes_or_waiver_text_and_changes_nothing()
    {
        ScreeningRecord s = await OpenAsync(notes: SecretNote);

        IReadOnlyList<FieldChange> preview = await Register.PreviewUpdateAsync(s.ScreeningId,
            r => r with { Status = ScreeningStatus.Waived, WaiverReason = "reason-3131", Notes = "note-2121" }, Hr, CancellationToken.None);

        string text = string.Join("; ", preview);
        Assert.Contains("Status: 'NotStarted' -> 'Waived'", text, StringComparison.Ordinal);
        Assert.Contains("WaiverRequestedBy: '' -> 'hr.officer@host'", text, StringComparison.Ordinal);
        Assert.Contains("Notes: '(protected value)' -> '(new protected value)'", text, StringComparison.Ordinal);
        Assert.DoesNotContain("3131", text, StringComparison.Ordinal);
        Assert.DoesNotContain("2121", text, StringComparison.Ordinal);
        Assert.Equal(ScreeningStatus.NotStarted, (await Register.GetAsync(s.ScreeningId, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Reading_notes_with_include_sensitive_returns_them_and_audits_the_read_by_name_only()
    {
        ScreeningRecord s = await OpenAsync(notes: SecretNote);
        await _store.Workspace.People.UpdateAsync("E1001", p => p with { PersonalEmail = "ada@example.net" }, null, Hr, CancellationToken.None);

        ScreeningRecord shown = (await Register.ReadSensitiveAsync([s], Ciso, CancellationToken.None)).Single();

        Assert.Equal(SecretNote, shown.Notes);
        AuditEvent read = _store.Events().Last();
        Assert.Equal("PersonalData.Read", read.Action);
        Assert.Equal(Ciso.Actor, read.Actor);
        Assert.Contains($"Screening/{s.ScreeningId}/Notes", read.Details, StringComparison.Ordinal);
        Assert.DoesNotContain("PersonalEmail", read.Details, StringComparison.Ordinal);
        Assert.DoesNotContain("4711", read.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Removing_a_leavers_personal_data_shreds_their_screening_notes_too()
    {
        await _store.Workspace.People.CreateAsync(new Person
        {
            PersonId = "E1001", DisplayName = "Ada", Status = PersonStatus.Left, StartDate = new DateTime(2018, 1, 1), EndDate = new DateTime(2020, 1, 31),
        }, Hr, CancellationToken.None);
        ScreeningRecord s = await OpenAsync(notes: SecretNote);

        PersonalDataRemovalResult removed = await _store.Workspace.PersonalDataRemoval.RemoveAsync("E1001", false, Hr, CancellationToken.None);

        Assert.Contains($"Screening/{s.ScreeningId}/Notes", removed.Fields);
        Assert.Empty((await _store.Workspace.Store.GetProtectedValuesAsync("E1001", CancellationToken.None)));
        Assert.Null((await Register.ReadSensitiveAsync([s], Ciso, CancellationToken.None)).Single().Notes);
        Assert.DoesNotContain("conviction-note-4711", Encoding.UTF8.GetString(RawStoreBytes()), StringComparison.Ordinal);
        Assert.Equal("IsmsOps.PersonalData.Removed",
            (await RefusedAsync(() => SetAsync(s, r => r with { Notes = "new note" }))).ErrorId);
    }

    [Fact]
    public async Task The_country_replaces_the_checks_its_policy_entry_names()
    {
        string folder = Directory.CreateTempSubdirectory("ismsops-policy-").FullName;
        File.WriteAllText(Path.Combine(folder, ScreeningPolicy.FileName), "countries:\n  DE:\n    Enhanced:\n      checks: [Identity, RightToWork]\n");
        ScreeningPolicy policy = ScreeningPolicy.From(new IsmsOps.Engine.Policies.PolicyFolder(folder, "test"));
        using IsmsWorkspace workspace = IsmsWorkspace.Open(_store.Location, screeningPolicy: () => policy);
        await workspace.People.CreateAsync(new Person { PersonId = "E2002", DisplayName = "Bea", Location = "DE" }, Hr, CancellationToken.None);

        ScreeningRecord s = await workspace.Screening.CreateAsync(new ScreeningRecord { PersonId = "E2002", Level = ScreeningLevel.Enhanced }, Hr, CancellationToken.None);
        ScreeningRecord cleared = await workspace.Screening.UpdateAsync(s.ScreeningId,
            r => r with { Status = ScreeningStatus.Cleared, Identity = ScreeningCheckResult.Clear, RightToWork = ScreeningCheckResult.Clear }, null, Hr, CancellationToken.None);

        Assert.Equal(ScreeningCheckResult.NotRequired, s.Credit);
        Assert.Equal(ScreeningStatus.Cleared, cleared.Status);
    }

    private byte[] RawStoreBytes()
    {
        _store.Workspace.Store.PurgeDeletedData();
        using var all = new MemoryStream();
        foreach (string file in Directory.GetFiles(_store.Home, "isms.db*"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.CopyTo(all);
        }

        return all.ToArray();
    }

    public void Dispose() => _store.Dispose();
}
