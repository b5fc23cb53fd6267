using System.Text.Json;
using IsmsOps.Engine.Acknowledgements;
using IsmsOps.Engine.Audit;

namespace IsmsOps.Engine.Tests.Acknowledgements;

public sealed class AcknowledgementRegisterTests : IDisposable
{
    private static readonly DateTime Now = new(2026, 6, 15, 10, 0, 0, DateTimeKind.Utc);

    private readonly TempWorkspace _store = new();
    private readonly AcknowledgementRegister _register;

    public AcknowledgementRegisterTests()
    {
        _register = new AcknowledgementRegister(_store.Workspace.Store, _store.Workspace.Audit, () => Now);
    }

    private static Acknowledgement Nda(string version, DateTime on, string person = "E1") => new()
    {
        PersonId = person,
        Kind = AcknowledgementKind.NonDisclosureAgreement,
        Name = null!,
        DocumentVersion = version,
        AcknowledgedOn = on,
    };

    private static Acknowledgement Training(DateTime on, string person = "E1", DateTime? expires = null, string? evidence = null) => new()
    {
        PersonId = person,
        Kind = AcknowledgementKind.SecurityTraining,
        Name = "Security Awareness",
        DocumentVersion = "2026",
        AcknowledgedOn = on,
        ExpiresOn = expires,
        Evidence = evidence,
    };

    private Task<AcknowledgementResult> Record(Acknowledgement a) => _register.RecordAsync(a, TempWorkspace.Context, CancellationToken.None);

    [Fact]
    public async Task Accepting_a_newer_NDA_keeps_the_record_of_the_older_acceptance()
    {
        await _store.AddPersonAsync("E1");
        await Record(Nda("1.0", new DateTime(2025, 3, 1)));
        await Record(Nda("2.0", new DateTime(2026, 2, 1)));

        IReadOnlyList<Acknowledgement> history = await _register.FindAsync(new AcknowledgementQuery { PersonId = "e1" }, CancellationToken.None);
        Assert.Equal(["1.0", "2.0"], history.Select(a => a.DocumentVersion));
        Assert.All(history, a => Assert.Equal("Non-Disclosure Agreement", a.Name));
        Assert.Equal(new DateTime(2025, 3, 1), history[0].AcknowledgedOn);
        Assert.Equal("tester@host", history[0].RecordedBy);
    }

    [Fact]
    public async Task Only_acceptance_of_the_version_asked_about_counts_and_only_from_the_day_it_was_made()
    {
        await _store.AddPersonAsync("E1");
        await Record(Nda("1.0", new DateTime(2025, 3, 1)));

        Assert.NotNull(await _register.HasAcceptedAsync("E1", AcknowledgementKind.NonDisclosureAgreement, null, "1.0", Now, CancellationToken.None));
        Assert.Null(await _register.HasAcceptedAsync("E1", AcknowledgementKind.NonDisclosureAgreement, null, "2.0", Now, CancellationToken.None));
        Assert.Null(await _register.HasAcceptedAsync("E1", AcknowledgementKind.NonDisclosureAgreement, null, "1.0", new DateTime(2025, 2, 28), CancellationToken.None));

        await Record(Nda("2.0", new DateTime(2026, 6, 1)));
        Acknowledgement? accepted = await _register.HasAcceptedAsync("E1", AcknowledgementKind.NonDisclosureAgreement, "non-disclosure agreement", "2.0", Now,
            CancellationToken.None);
        Assert.Equal(new DateTime(2026, 6, 1), accepted?.AcknowledgedOn);
    }

    [Fact]
    public async Task Security_training_expires_after_the_default_year_and_is_current_only_until_then()
    {
        await _store.AddPersonAsync("E1");
        Acknowledgement stored = (await Record(Training(new DateTime(2025, 7, 1)))).Acknowledgement;

        Assert.Equal(new DateTime(2026, 7, 1), stored.ExpiresOn);
        Assert.NotNull(await _register.CurrentTrainingAsync("E1", new DateTime(2026, 6, 30), CancellationToken.None));
        Assert.Null(await _register.CurrentTrainingAsync("E1", new DateTime(2026, 7, 1), CancellationToken.None));
        Assert.Null(await _register.CurrentTrainingAsync("E1", new DateTime(2025, 6, 30), CancellationToken.None));
    }

    [Fact]
    public async Task An_explicit_expiry_wins_over_the_default_validity_and_a_policy_document_does_not_lapse_by_default()
    {
        await _store.AddPersonAsync("E1");
        Acknowledgement training = (await Record(Training(new DateTime(2026, 1, 10), expires: new DateTime(2026, 4, 10)))).Acknowledgement;
        Acknowledgement policy = (await Record(new Acknowledgement
        {
            PersonId = "E1", Kind = AcknowledgementKind.Policy, Name = "Acceptable Use Policy", DocumentVersion = "4", AcknowledgedOn = new DateTime(2026, 1, 10),
        })).Acknowledgement;

        Assert.Equal(new DateTime(2026, 4, 10), training.ExpiresOn);
        Assert.Null(policy.ExpiresOn);
    }

    [Fact]
    public async Task Gaps_name_who_is_missing_on_an_old_version_expired_or_expiring_within_the_window()
    {
        foreach (string id in new[] { "E1", "E2", "E3", "E4", "E5" })
        {
            await _store.AddPersonAsync(id);
        }

        await Record(Training(new DateTime(2026, 1, 1), "E1"));                                     // current until 2027-01-01
        await Record(Training(new DateTime(2025, 6, 1), "E2"));                                     // expired 2026-06-01
        await Record(Training(new DateTime(2025, 6, 20), "E3"));                                    // expires 2026-06-20, in 5 days
        await Record(Training(new DateTime(2025, 7, 1), "E4") with { DocumentVersion = "2025" });   // other version

        IReadOnlyList<AcknowledgementGap> gaps = await _register.FindGapsAsync(AcknowledgementKind.SecurityTraining, "Security Awareness", "2026", Now, 30,
            CancellationToken.None);

        Assert.Equal(
            [("E2", AcknowledgementGapReason.Expired), ("E3", AcknowledgementGapReason.Expiring), ("E4", AcknowledgementGapReason.OtherVersion), ("E5", AcknowledgementGapReason.Missing)],
            gaps.Select(g => (g.PersonId, g.Reason)));
        Assert.Equal(new DateTime(2026, 6, 20), gaps[1].ExpiresOn);
        Assert.Equal("2025", gaps[2].Latest?.DocumentVersion);

        IReadOnlyList<AcknowledgementGap> today = await _register.FindGapsAsync(AcknowledgementKind.SecurityTraining, "Security Awareness", "2026", Now, 0,
            CancellationToken.None);
        Assert.DoesNotContain(today, g => g.PersonId == "E3");
    }

    [Fact]
    public async Task A_renewal_is_a_new_record_and_takes_the_person_off_the_expiring_list()
    {
        await _store.AddPersonAsync("E1");
        await Record(Training(new DateTime(2025, 6, 20)));
        Assert.Single(await _register.FindExpiringAsync(AcknowledgementQuery.All, Now, 30, CancellationToken.None));

        await Record(Training(new DateTime(2026, 6, 10)));

        Assert.Empty(await _register.FindExpiringAsync(AcknowledgementQuery.All, Now, 30, CancellationToken.None));
        Assert.Equal(2, (await _register.FindAsync(AcknowledgementQuery.All, CancellationToken.None)).Count);
        Assert.Equal(new DateTime(2027, 6, 10), (await _register.FindCurrentAsync(AcknowledgementQuery.All, Now, CancellationToken.None)).Single().ExpiresOn);
    }

    [Fact]
    public async Task Recording_audits_ids_and_facts_against_the_person_and_no_personal_data()
    {
        await _store.Workspace.People.CreateAsync(new People.Person { PersonId = "E1", DisplayName = "Ada Lovelace", Mail = "ada@example.com" },
            TempWorkspace.Context, CancellationToken.None);
        Acknowledgement stored = (await Record(Training(new DateTime(2026, 6, 1), evidence: "LMS-CERT-7781"))).Acknowledgement;

        AuditEvent e = _store.Events().Last();
        Assert.Equal("Acknowledgement.Recorded", e.Action);
        Assert.Equal("person:E1", e.Target);
        Assert.Equal(TempWorkspace.Context.CorrelationId, e.CorrelationId);
        using JsonDocument details = JsonDocument.Parse(e.Details);
        Assert.Equal(stored.AcknowledgementId, details.RootElement.GetProperty("AcknowledgementId").GetString());
        Assert.Equal("SecurityTraining", details.RootElement.GetProperty("Kind").GetString());
        Assert.Equal("2026", details.RootElement.GetProperty("DocumentVersion").GetString());
        Assert.Equal("2026-06-01", details.RootElement.GetProperty("AcknowledgedOn").GetString());
        Assert.Equal("2027-06-01", details.RootElement.GetProperty("ExpiresOn").GetString());
        Assert.Equal("LMS-CERT-7781", details.RootElement.GetProperty("Evidence").GetString());
        Assert.DoesNotContain("Ada", e.Details, StringComparison.Ordinal);
        Assert.DoesNotContain("example.com", e.Details, StringComparison.Ordinal);
        Assert.True((await _store.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Recording_the_same_acceptance_again_stores_nothing_and_a_changed_expiry_is_an_audited_correction()
    {
        await _store.AddPersonAsync("E1");
        Acknowledgement first = (await Record(Training(new DateTime(2026, 6, 1), evidence: "LMS-1"))).Acknowledgement;
        int events = _store.Events().Count;

        AcknowledgementResult again = await Record(Training(new DateTime(2026, 6, 1)));
        Assert.Equal(AcknowledgementOutcome.Unchanged, again.Outcome);
        Assert.Equal("LMS-1", again.Acknowledgement.Evidence);
        Assert.Equal(events, _store.Events().Count);

        AcknowledgementResult corrected = await Record(Training(new DateTime(2026, 6, 1), expires: new DateTime(2026, 12, 1)));
        Assert.Equal(AcknowledgementOutcome.Corrected, corrected.Outcome);
        Assert.Equal(first.AcknowledgementId, corrected.Acknowledgement.AcknowledgementId);
        Assert.Equal(2, corrected.Acknowledgement.Version);
        Assert.Single(await _register.FindAsync(AcknowledgementQuery.All, CancellationToken.None));
        AuditEvent e = _store.Events().Last();
        Assert.Equal("Acknowledgement.Corrected", e.Action);
        Assert.Contains("\"from\":\"2027-06-01\"", e.Details, StringComparison.Ordinal);

        IsmsException conflict = await Assert.ThrowsAsync<IsmsException>(() =>
            _register.RecordAsync(Training(new DateTime(2026, 6, 1), expires: new DateTime(2026, 11, 1)), TempWorkspace.Context, CancellationToken.None, expectedVersion: 1));
        Assert.Equal("IsmsOps.Acknowledgement.Conflict", conflict.ErrorId);
    }

    [Fact]
    public async Task An_unknown_person_is_refused_and_nothing_is_stored_or_audited()
    {
        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => Record(Nda("1.0", new DateTime(2026, 1, 1), "E404")));

        Assert.Equal("IsmsOps.Person.NotFound", error.ErrorId);
        Assert.Empty(await _register.FindAsync(AcknowledgementQuery.All, CancellationToken.None));
        Assert.Empty(_store.Events());
    }

    [Theory]
    [InlineData("Version", "", "2026-01-01", null, "IsmsOps.Acknowledgement.InvalidVersion")]
    [InlineData("Name", "1", "2026-01-01", null, "IsmsOps.Acknowledgement.InvalidName")]
    [InlineData("On", "1", "2026-07-01", null, "IsmsOps.Acknowledgement.InvalidOn")]
    [InlineData("ExpiresOn", "1", "2026-01-01", "2025-12-31", "IsmsOps.Acknowledgement.InvalidExpiresOn")]
    public async Task Bad_values_are_refused_naming_the_field_and_nothing_is_written(string field, string version, string on, string? expires, string errorId)
    {
        await _store.AddPersonAsync("E1");
        int events = _store.Events().Count;
        var a = new Acknowledgement
        {
            PersonId = "E1",
            Kind = AcknowledgementKind.Policy,
            Name = field == "Name" ? " " : "Acceptable Use Policy",
            DocumentVersion = version,
            AcknowledgedOn = DateTime.Parse(on, System.Globalization.CultureInfo.InvariantCulture),
            ExpiresOn = expires is null ? null : DateTime.Parse(expires, System.Globalization.CultureInfo.InvariantCulture),
        };

        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => Record(a));

        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(IsmsErrorKind.InvalidArgument, error.Kind);
        Assert.False(string.IsNullOrEmpty(error.RecommendedAction));
        Assert.Empty(await _register.FindAsync(AcknowledgementQuery.All, CancellationToken.None));
        Assert.Equal(events, _store.Events().Count);
    }

    [Fact]
    public async Task Acknowledgements_survive_reopening_the_store()
    {
        await _store.AddPersonAsync("E1");
        await Record(Nda("1.0", new DateTime(2025, 3, 1)) with { Evidence = "DocuSign 5f1c" });

        _store.Reopen();

        Acknowledgement a = Assert.Single(await _store.Workspace.Acknowledgements.FindAsync(AcknowledgementQuery.All, CancellationToken.None));
        Assert.Equal(("E1", AcknowledgementKind.NonDisclosureAgreement, "1.0", new DateTime(2025, 3, 1), "DocuSign 5f1c", 1L),
            (a.PersonId, a.Kind, a.DocumentVersion, a.AcknowledgedOn, a.Evidence, a.Version));
    }

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task An_acknowledgement_of_a_version_the_policy_no_longer_has_in_force_is_reported_as_not_current()
    {
        var policy = new AcknowledgementPolicy
        {
            CurrentVersions = [new CurrentDocumentVersion(AcknowledgementKind.NonDisclosureAgreement, "Non-Disclosure Agreement", "2.0", "test")],
        };
        var register = new AcknowledgementRegister(_store.Workspace.Store, _store.Workspace.Audit, () => Now, () => policy);
        await _store.AddPersonAsync("E1");
        await _store.AddPersonAsync("E2");
        await register.RecordAsync(Nda("1.0", new DateTime(2025, 3, 1)), TempWorkspace.Context, CancellationToken.None);
        await register.RecordAsync(Nda("2.0", new DateTime(2026, 2, 1), "E2"), TempWorkspace.Context, CancellationToken.None);

        Acknowledgement stale = Assert.Single(await register.FindAsync(new AcknowledgementQuery { PersonId = "E1" }, CancellationToken.None));
        Acknowledgement current = Assert.Single(await register.FindCurrentAsync(AcknowledgementQuery.All, Now, CancellationToken.None));
        AcknowledgementGap gap = Assert.Single(await register.FindGapsAsync(AcknowledgementKind.NonDisclosureAgreement, null, null, Now, 0, CancellationToken.None));

        Assert.Equal((AcknowledgementStatus.NotCurrentVersion, "2.0"), (stale.Status!.Value, stale.CurrentVersion));
        Assert.Equal(("E2", AcknowledgementStatus.Current), (current.PersonId, current.Status!.Value));
        Assert.Equal(("E1", AcknowledgementGapReason.OtherVersion, "2.0"), (gap.PersonId, gap.Reason, gap.RequiredVersion));

        // Publishing version 3.0 is an edit of the policy: from the next read on, E2's 2.0 no longer counts either.
        policy = policy with { CurrentVersions = [new CurrentDocumentVersion(AcknowledgementKind.NonDisclosureAgreement, "Non-Disclosure Agreement", "3.0", "test")] };

        Assert.Empty(await register.FindCurrentAsync(AcknowledgementQuery.All, Now, CancellationToken.None));
        Assert.Equal(["E1", "E2"], (await register.FindGapsAsync(AcknowledgementKind.NonDisclosureAgreement, null, null, Now, 0, CancellationToken.None)).Select(g => g.PersonId));
    }

    [Fact]
    public async Task A_record_without_an_expiry_gets_the_validity_the_policy_gives_its_kind()
    {
        var policy = new AcknowledgementPolicy
        {
            Validity = new AcknowledgementValidity { Periods = new Dictionary<AcknowledgementKind, IsmsOps.Engine.Policies.IsoDuration> { [AcknowledgementKind.SecurityTraining] = new(0, 6, 0, TimeSpan.Zero) } },
        };
        var register = new AcknowledgementRegister(_store.Workspace.Store, _store.Workspace.Audit, () => Now, () => policy);
        await _store.AddPersonAsync("E1");

        AcknowledgementResult result = await register.RecordAsync(Training(new DateTime(2026, 1, 10)), TempWorkspace.Context, CancellationToken.None);

        Assert.Equal(new DateTime(2026, 7, 10), result.Acknowledgement.ExpiresOn);
        Assert.Equal(AcknowledgementStatus.Current, result.Acknowledgement.Status);
    }

    [Fact]
    public async Task A_register_with_the_policy_read_once_holds_every_row_of_a_command_to_that_reading_and_reads_it_once()
    {
        int reads = 0;
        var policy = new AcknowledgementPolicy
        {
            CurrentVersions = [new CurrentDocumentVersion(AcknowledgementKind.NonDisclosureAgreement, "Non-Disclosure Agreement", "2.0", "test")],
        };
        var register = new AcknowledgementRegister(_store.Workspace.Store, _store.Workspace.Audit, () => Now, () =>
        {
            reads++;
            return policy;
        });
        AcknowledgementRegister once = register.WithPolicyReadOnce();
        // Publishing 3.0 while the command runs does not change what its rows are held to.
        policy = policy with { CurrentVersions = [new CurrentDocumentVersion(AcknowledgementKind.NonDisclosureAgreement, "Non-Disclosure Agreement", "3.0", "test")] };

        var recorded = new List<Acknowledgement>();
        foreach (string person in new[] { "E1", "E2", "E3" })
        {
            await _store.AddPersonAsync(person);
            Acknowledgement prepared = once.Prepare(Nda("2.0", new DateTime(2026, 2, 1), person));
            recorded.Add((await once.RecordAsync(prepared, TempWorkspace.Context, CancellationToken.None)).Acknowledgement);
        }

        IReadOnlyList<Acknowledgement> found = await once.FindAsync(AcknowledgementQuery.All, CancellationToken.None);

        Assert.Equal(1, reads);
        Assert.All(recorded, a => Assert.Equal(AcknowledgementStatus.Current, a.Status));
        Assert.All(found, a => Assert.Equal("2.0", a.CurrentVersion));
        // The next command reads the edited policy.
        Assert.All(await register.WithPolicyReadOnce().FindAsync(AcknowledgementQuery.All, CancellationToken.None),
            a => Assert.Equal(AcknowledgementStatus.NotCurrentVersion, a.Status));
    }
}
