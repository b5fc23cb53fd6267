using System.Text.Json;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.People;

namespace IsmsOps.Engine.Tests;

public sealed class PeopleRegisterTests : IDisposable
{
    private readonly TempWorkspace _store = new();

    private PeopleRegister People => _store.Workspace.People;

    private static Person Ada => new()
    {
        PersonId = "E1001",
        DisplayName = "Ada Lovelace",
        UserPrincipalName = "ada@example.com",
        Department = "Engineering",
        JobRole = "Software Engineer",
        EmploymentType = EmploymentType.Employee,
        StartDate = new DateTime(2026, 1, 5, 9, 30, 0),
        Location = "gb",
    };

    [Fact]
    public async Task Registering_a_person_stores_it_normalised_and_audits_every_value()
    {
        Person created = await People.CreateAsync(Ada, TempWorkspace.Context, CancellationToken.None);

        Assert.Equal(1, created.Version);
        Assert.Equal(new DateTime(2026, 1, 5), created.StartDate);
        Assert.Equal("GB", created.Location);
        Person stored = await People.GetAsync("e1001", CancellationToken.None);
        Assert.Equal(created, stored);

        AuditEvent e = Assert.Single(_store.Events());
        Assert.Equal("Person.Created", e.Action);
        Assert.Equal("person:E1001", e.Target);
        Assert.Equal(TempWorkspace.Context.CorrelationId, e.CorrelationId);
        using JsonDocument details = JsonDocument.Parse(e.Details);
        Assert.Equal("Engineering", details.RootElement.GetProperty("Department").GetString());
        Assert.Equal("2026-01-05", details.RootElement.GetProperty("StartDate").GetString());
    }

    [Fact]
    public async Task When_the_audit_event_cannot_be_written_the_change_is_not_stored_either()
    {
        await People.CreateAsync(Ada, TempWorkspace.Context, CancellationToken.None);
        _store.Sql("CREATE TRIGGER fail_audit BEFORE INSERT ON audit_event BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;");

        await Assert.ThrowsAsync<IsmsException>(() =>
            People.CreateAsync(Ada with { PersonId = "E2002" }, TempWorkspace.Context, CancellationToken.None));
        await Assert.ThrowsAsync<IsmsException>(() =>
            People.UpdateAsync("E1001", p => p with { Department = "Sales" }, null, TempWorkspace.Context, CancellationToken.None));

        _store.Sql("DROP TRIGGER fail_audit;");
        Assert.Equal(["E1001"], (await People.FindAsync(new PersonQuery(), CancellationToken.None)).Select(p => p.PersonId));
        Assert.Equal("Engineering", (await People.GetAsync("E1001", CancellationToken.None)).Department);
        Assert.True((await _store.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task A_duplicate_PersonId_is_refused_case_insensitively_and_nothing_is_written()
    {
        await People.CreateAsync(Ada, TempWorkspace.Context, CancellationToken.None);
        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() =>
            People.CreateAsync(Ada with { PersonId = "e1001", DisplayName = "Impostor" }, TempWorkspace.Context, CancellationToken.None));

        Assert.Equal("IsmsOps.Person.Duplicate", error.ErrorId);
        Assert.Equal(IsmsErrorKind.AlreadyExists, error.Kind);
        Assert.Contains("Set-IsmsPerson", error.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal("Ada Lovelace", (await People.GetAsync("E1001", CancellationToken.None)).DisplayName);
        Assert.Single(_store.Events());
        Assert.True((await _store.VerifyAsync()).IsValid);
    }

    [Theory]
    [InlineData("PersonId", "bad id!", "IsmsOps.Person.InvalidPersonId")]
    [InlineData("Mail", "not-an-address", "IsmsOps.Person.InvalidMail")]
    [InlineData("Location", "United Kingdom", "IsmsOps.Person.InvalidLocation")]
    [InlineData("DirectoryObjectId", "1234", "IsmsOps.Person.InvalidDirectoryObjectId")]
    [InlineData("ManagerId", "E1001", "IsmsOps.Person.InvalidManagerId")]
    public async Task Invalid_fields_are_refused_with_an_error_naming_the_field_and_nothing_is_stored(string field, string value, string errorId)
    {
        Person person = field switch
        {
            "PersonId" => Ada with { PersonId = value },
            "Mail" => Ada with { Mail = value },
            "Location" => Ada with { Location = value },
            "DirectoryObjectId" => Ada with { DirectoryObjectId = value },
            _ => Ada with { ManagerId = value },
        };

        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => People.CreateAsync(person, TempWorkspace.Context, CancellationToken.None));
        Assert.Equal(errorId, error.ErrorId);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(error.RecommendedAction));
        Assert.Empty(await People.FindAsync(new PersonQuery(), CancellationToken.None));
        Assert.Empty(_store.Events());
    }

    [Fact]
    public async Task An_end_date_before_the_start_date_is_refused()
    {
        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() =>
            People.CreateAsync(Ada with { EndDate = new DateTime(2025, 12, 31) }, TempWorkspace.Context, CancellationToken.None));
        Assert.Equal("IsmsOps.Person.InvalidEndDate", error.ErrorId);
    }

    [Fact]
    public async Task An_update_records_each_changed_field_with_its_old_and_new_value()
    {
        await People.CreateAsync(Ada, TempWorkspace.Context, CancellationToken.None);
        Person updated = await People.UpdateAsync("E1001", p => p with { Department = "Research", Status = PersonStatus.Active }, null,
            TempWorkspace.Context, CancellationToken.None);

        Assert.Equal(2, updated.Version);
        AuditEvent e = _store.Events()[^1];
        Assert.Equal("Person.Updated", e.Action);
        using JsonDocument details = JsonDocument.Parse(e.Details);
        JsonElement changes = details.RootElement.GetProperty("changes");
        Assert.Equal("Engineering", changes.GetProperty("Department").GetProperty("from").GetString());
        Assert.Equal("Research", changes.GetProperty("Department").GetProperty("to").GetString());
        Assert.Equal("Active", changes.GetProperty("Status").GetProperty("to").GetString());
        Assert.False(changes.TryGetProperty("DisplayName", out _));
    }

    [Fact]
    public async Task A_preview_lists_only_real_changes_and_stores_nothing()
    {
        await People.CreateAsync(Ada, TempWorkspace.Context, CancellationToken.None);
        IReadOnlyList<FieldChange> changes = await People.PreviewUpdateAsync("E1001",
            p => p with { DisplayName = "Ada Lovelace", Status = PersonStatus.Leaving, EndDate = new DateTime(2026, 12, 31) }, CancellationToken.None);

        Assert.Equal(["Status: 'Candidate' -> 'Leaving'", "EndDate: '' -> '2026-12-31'"], changes.Select(c => c.ToString()));
        Assert.Equal(PersonStatus.Candidate, (await People.GetAsync("E1001", CancellationToken.None)).Status);
        Assert.Single(_store.Events());
    }

    [Fact]
    public async Task An_update_that_changes_nothing_stores_and_audits_nothing()
    {
        await People.CreateAsync(Ada, TempWorkspace.Context, CancellationToken.None);
        Person same = await People.UpdateAsync("E1001", p => p with { Department = "Engineering" }, null, TempWorkspace.Context, CancellationToken.None);
        Assert.Equal(1, same.Version);
        Assert.Single(_store.Events());
    }

    [Fact]
    public async Task An_update_based_on_a_stale_version_is_refused_so_no_change_is_lost()
    {
        Person read = await People.CreateAsync(Ada, TempWorkspace.Context, CancellationToken.None);
        await People.UpdateAsync("E1001", p => p with { JobRole = "Staff Engineer" }, read.Version, TempWorkspace.Context, CancellationToken.None);

        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() =>
            People.UpdateAsync("E1001", p => p with { Department = "Sales" }, read.Version, TempWorkspace.Context, CancellationToken.None));
        Assert.Equal("IsmsOps.Person.Conflict", error.ErrorId);
        Person stored = await People.GetAsync("E1001", CancellationToken.None);
        Assert.Equal("Staff Engineer", stored.JobRole);
        Assert.Equal("Engineering", stored.Department);
    }

    [Fact]
    public async Task Setting_Left_without_an_end_date_is_refused_with_the_fix()
    {
        await People.CreateAsync(Ada, TempWorkspace.Context, CancellationToken.None);
        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() =>
            People.UpdateAsync("E1001", p => p with { Status = PersonStatus.Left }, null, TempWorkspace.Context, CancellationToken.None));
        Assert.Equal("IsmsOps.Person.InvalidEndDate", error.ErrorId);
        Assert.Contains("-EndDate", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Updating_someone_who_is_not_registered_says_so()
    {
        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() =>
            People.UpdateAsync("E404", p => p, null, TempWorkspace.Context, CancellationToken.None));
        Assert.Equal("IsmsOps.Person.NotFound", error.ErrorId);
    }

    [Fact]
    public async Task Find_filters_by_status_department_wildcard_and_name_wildcard()
    {
        await People.CreateAsync(Ada, TempWorkspace.Context, CancellationToken.None);
        await People.CreateAsync(Ada with { PersonId = "E1002", DisplayName = "Grace Hopper", Department = "Finance" }, TempWorkspace.Context, CancellationToken.None);
        await People.CreateAsync(Ada with { PersonId = "C2001", DisplayName = "Alan Turing", Department = "Engineering", EmploymentType = EmploymentType.Contractor, Status = PersonStatus.Active },
            TempWorkspace.Context, CancellationToken.None);

        Assert.Equal(["C2001", "E1001"], (await People.FindAsync(new PersonQuery { DepartmentPatterns = ["eng*"] }, CancellationToken.None)).Select(p => p.PersonId));
        Assert.Equal(["E1002"], (await People.FindAsync(new PersonQuery { DisplayNamePatterns = ["*hop*"] }, CancellationToken.None)).Select(p => p.PersonId));
        Assert.Equal(["C2001"], (await People.FindAsync(new PersonQuery { Statuses = [PersonStatus.Active] }, CancellationToken.None)).Select(p => p.PersonId));
        Assert.Equal(["E1001", "E1002"], (await People.FindAsync(new PersonQuery { PersonIdPatterns = ["E100?"] }, CancellationToken.None)).Select(p => p.PersonId));
        Assert.Equal(["C2001"], (await People.FindAsync(new PersonQuery { EmploymentTypes = [EmploymentType.Contractor] }, CancellationToken.None)).Select(p => p.PersonId));
    }

    [Fact]
    public async Task Concurrent_registrations_from_two_workspaces_keep_one_linear_chain()
    {
        using var second = IsmsWorkspace.Open(_store.Location);
        Task first = Task.Run(async () =>
        {
            for (int i = 0; i < 40; i++)
            {
                await People.CreateAsync(Ada with { PersonId = "A" + i }, TempWorkspace.Context, CancellationToken.None);
            }
        });
        Task other = Task.Run(async () =>
        {
            for (int i = 0; i < 40; i++)
            {
                await second.People.CreateAsync(Ada with { PersonId = "B" + i }, TempWorkspace.Context, CancellationToken.None);
            }
        });
        await Task.WhenAll(first, other);

        AuditVerificationResult result = await _store.VerifyAsync();
        Assert.True(result.IsValid, result.Message);
        Assert.Equal(80, result.EventCount);
    }

    public void Dispose() => _store.Dispose();
}
