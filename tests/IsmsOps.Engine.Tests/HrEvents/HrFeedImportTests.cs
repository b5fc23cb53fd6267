using System.Text;
using IsmsOps.Engine.HrEvents;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Tests.Roles;

namespace IsmsOps.Engine.Tests.HrEvents;

public sealed class HrFeedImportTests : IDisposable
{
    private static readonly RoleCatalog Roles = RoleCatalog.Load(Path.Combine(RoleCatalogFileTests.RepoRoot(), "policies", "roles"));

    private const string Header = "EmployeeNumber,FullName,Department,Position,ManagerEmployeeNumber,HireDate,TerminationDate";

    private readonly TempWorkspace _home = new();

    public void Dispose() => _home.Dispose();

    private HrFeedMapping Mapping()
    {
        string path = Path.Combine(_home.Home, "mapping.yaml");
        File.WriteAllText(path, """
            columns:
              PersonId: EmployeeNumber
              DisplayName: FullName
              Department: Department
              JobRole: Position
              ManagerId: ManagerEmployeeNumber
              StartDate: HireDate
              EndDate: TerminationDate
            dateFormat: dd/MM/yyyy
            """);
        return HrFeedMapping.Load(path);
    }

    private string Feed(string name, params string[] rows)
    {
        string path = Path.Combine(_home.Home, name);
        File.WriteAllText(path, string.Join("\n", [Header, .. rows]) + "\n");
        return path;
    }

    private Task<HrFeedImportSummary> Import(string path) =>
        _home.Workspace.HrFeed.ImportAsync(path, Mapping(), Roles, whatIf: false, TempWorkspace.Context, CancellationToken.None);

    private Task<Person> Get(string id) => _home.Workspace.People.GetAsync(id, CancellationToken.None);

    private static string Day(DateTime d) => d.ToString("dd/MM/yyyy");

    [Fact]
    public async Task A_feed_with_bad_rows_reports_each_by_line_and_applies_every_good_row()
    {
        string path = Feed("export.csv",
            "E1,Grace Hopper,Engineering,Engineering Manager,,04/01/2021,",        // line 2: joiner
            "E2,Alan Turing,Engineering,astronaut,E1,01/03/2024,",                  // line 3: unknown role
            "E3,Ada Lovelace,Finance,payroll-approver,E1,2022-06-15,",              // line 4: date in the wrong format
            "E4,Edsger Dijkstra,Engineering,software-engineer,E1,01/02/2020,",      // line 5: duplicate id
            "E4,Edsger Again,Engineering,software-engineer,E1,01/02/2020,",         // line 6: duplicate id
            ",No Id,Engineering,software-engineer,E1,01/02/2020,",                  // line 7: no PersonId
            "E5,Too,Few,Fields",                                                    // line 8: wrong field count
            "E6,\"Hopper, Grace\",Engineering,software-engineer,E1,01/02/2020,");   // line 9: joiner, quoted comma

        HrFeedImportSummary summary = await Import(path);

        Assert.Equal(
            [(3L, "IsmsOps.Role.NotFound"), (4L, "IsmsOps.HrEvent.InvalidField"), (5L, "IsmsOps.HrFeed.DuplicatePersonId"), (6L, "IsmsOps.HrFeed.DuplicatePersonId"),
                (7L, "IsmsOps.HrEvent.InvalidField"), (8L, "IsmsOps.HrFeed.WrongFieldCount")],
            summary.Errors.Select(e => (e.Line, e.ErrorId)));
        Assert.All(summary.Errors, e => Assert.StartsWith($"{path}:{e.Line}: ", e.Message, StringComparison.Ordinal));
        Assert.Equal(2, summary.Joiners);
        Assert.Equal("engineering-manager", (await Get("E1")).JobRole);
        Assert.Equal("Hopper, Grace", (await Get("E6")).DisplayName);
        Assert.Equal(["E1", "E6"], (await _home.Workspace.People.FindAsync(new PersonQuery(), CancellationToken.None)).Select(p => p.PersonId));
    }

    [Fact]
    public async Task Importing_the_same_file_again_changes_nothing_and_a_changed_row_is_a_mover()
    {
        string first = Feed("day1.csv", "E1,Grace Hopper,Engineering,software-engineer,,04/01/2021,", "E2,Alan Turing,Engineering,software-engineer,E1,01/03/2024,");
        await Import(first);
        int events = _home.Events().Count;

        HrFeedImportSummary again = await Import(first);
        HrFeedImportSummary moved = await Import(Feed("day2.csv",
            "E1,Grace Hopper,Engineering,Engineering Manager,,04/01/2021,", "E2,Alan Turing,Engineering,software-engineer,E1,01/03/2024,"));

        Assert.Equal((0, 0, 0, 2, 0), (again.Joiners, again.Movers, again.Leavers, again.Unchanged, again.Errors.Count));
        Assert.Equal(events, _home.Events().Count - 2); // the mover: Person.Updated and HrEvent.Applied, nothing from the re-import
        Assert.Equal((1, 1), (moved.Movers, moved.Unchanged));
        Assert.Equal("engineering-manager", (await Get("E1")).JobRole);
    }

    [Fact]
    public async Task A_leaver_is_found_by_window_when_the_import_runs_days_after_the_end_date_and_only_once()
    {
        await Import(Feed("day1.csv", "E1,Grace Hopper,Engineering,software-engineer,,04/01/2021,"));
        DateTime ended = DateTime.UtcNow.Date.AddDays(-5);
        string later = Feed("day9.csv", $"E1,Grace Hopper,Engineering,software-engineer,,04/01/2021,{Day(ended)}");

        HrFeedImportSummary found = await Import(later);
        HrFeedImportSummary again = await Import(later);

        Assert.Equal(1, found.Leavers);
        Person grace = await Get("E1");
        Assert.Equal((PersonStatus.Leaving, ended), (grace.Status, grace.EndDate));
        Assert.Equal((0, 1), (again.Leavers, again.Unchanged));
    }

    [Fact]
    public async Task A_feed_larger_than_one_batch_applies_every_good_row_once_and_reports_bad_rows_in_any_batch_by_line()
    {
        int rows = (2 * HrFeedImport.BatchSize) + 200;
        var lines = new List<string>();
        for (int i = 1; i <= rows; i++)
        {
            lines.Add(i switch
            {
                3 => $"P{i},Person {i},Engineering,astronaut,,01/02/2020,",                                 // unknown role: found while planning
                HrFeedImport.BatchSize + 7 => $"P{i},Person {i},Engineering,software-engineer,P{i},01/02/2020,",  // own manager: refused in a later batch
                _ => $"P{i},Person {i},Engineering,software-engineer,{(i > 1 ? "P1" : "")},01/02/2020,",
            });
        }

        string path = Feed("big.csv", [.. lines]);
        long eventsBefore = _home.Events().Count;

        HrFeedImportSummary first = await Import(path);
        long eventsAfterFirst = _home.Events().Count;
        HrFeedImportSummary again = await Import(path);

        // The file's line of row i is i + 1 (the header is line 1).
        Assert.Equal([(4L, "IsmsOps.Role.NotFound"), (HrFeedImport.BatchSize + 8L, "IsmsOps.Person.InvalidManagerId")], first.Errors.Select(e => (e.Line, e.ErrorId)));
        Assert.Equal(rows - 2, first.Joiners);
        Assert.Equal(rows - 2, (await _home.Workspace.People.FindAsync(new PersonQuery(), CancellationToken.None)).Count);
        // Person.Created and HrEvent.Applied per joiner, and the refusal's HrEvent.Refused (audited again on each import).
        Assert.Equal((2 * (rows - 2)) + 1, eventsAfterFirst - eventsBefore);
        Assert.Equal(1, _home.Events().Count - eventsAfterFirst);
        Assert.Equal((0, rows - 2), (again.Joiners, again.Unchanged));
        Assert.Equal(first.Errors.Select(e => (e.Line, e.ErrorId)), again.Errors.Select(e => (e.Line, e.ErrorId)));
        Assert.True((await _home.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task A_future_end_date_is_not_a_leaver_yet()
    {
        await Import(Feed("day1.csv", "E1,Grace Hopper,Engineering,software-engineer,,04/01/2021,"));

        HrFeedImportSummary summary = await Import(Feed("day2.csv", $"E1,Grace Hopper,Engineering,software-engineer,,04/01/2021,{Day(DateTime.UtcNow.Date.AddDays(10))}"));

        Assert.Equal(0, summary.Leavers);
        Assert.Equal(PersonStatus.Onboarding, (await Get("E1")).Status);
    }

    [Fact]
    public async Task A_line_that_is_not_UTF8_is_one_rows_error_and_the_rest_is_applied()
    {
        string path = Path.Combine(_home.Home, "latin1.csv");
        byte[] bad = Encoding.Latin1.GetBytes("E2,Zoë Adams,Engineering,software-engineer,,01/03/2024,\n");
        File.WriteAllBytes(path, [.. Encoding.UTF8.GetBytes(Header + "\nE1,Grace Hopper,Engineering,software-engineer,,04/01/2021,\n"), .. bad]);

        HrFeedImportSummary summary = await Import(path);

        Assert.Equal((3L, "IsmsOps.HrFeed.InvalidEncoding"), Assert.Single(summary.Errors.Select(e => (e.Line, e.ErrorId))));
        Assert.Equal(1, summary.Joiners);
    }

    [Fact]
    public async Task A_mapped_column_missing_from_the_header_stops_the_import_before_anything_is_applied()
    {
        string path = Path.Combine(_home.Home, "short.csv");
        File.WriteAllText(path, "EmployeeNumber,FullName\nE1,Grace Hopper\n");

        var error = await Assert.ThrowsAsync<IsmsException>(() => Import(path));

        Assert.Equal("IsmsOps.HrFeed.MissingColumn", error.ErrorId);
        Assert.Contains("'Department'", error.Message, StringComparison.Ordinal);
        Assert.Empty(await _home.Workspace.People.FindAsync(new PersonQuery(), CancellationToken.None));
    }

    [Fact]
    public async Task A_header_naming_a_column_twice_stops_the_import_before_anything_is_applied()
    {
        string path = Path.Combine(_home.Home, "twice.csv");
        File.WriteAllText(path, Header + ",department\nE1,Grace Hopper,Engineering,software-engineer,,04/01/2021,,Finance\n");

        var error = await Assert.ThrowsAsync<IsmsException>(() => Import(path));

        Assert.Equal("IsmsOps.HrFeed.DuplicateColumn", error.ErrorId);
        Assert.StartsWith($"{path}:1: ", error.Message, StringComparison.Ordinal);
        Assert.Empty(await _home.Workspace.People.FindAsync(new PersonQuery(), CancellationToken.None));
    }
}
