using IsmsOps.Engine.Policies;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Screening;

namespace IsmsOps.Engine.Tests.Roles;

public sealed class RoleCatalogFileTests : IDisposable
{
    private const string Minimal = "roles:\n  - id: analyst\n    title: Analyst\n    screening:\n      level: Basic\n    accessReview: P1Y\n";

    private readonly string _folder = Directory.CreateTempSubdirectory("ismsops-roles-").FullName;

    private string Write(string name, string yaml)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, yaml.Replace("\r\n", "\n", StringComparison.Ordinal));
        return path;
    }

    private IReadOnlyList<PolicyError> Errors(string yaml)
    {
        Write("roles.yaml", yaml);
        RoleCatalogValidation result = RoleCatalog.Validate(_folder);
        Assert.False(result.IsValid);
        Assert.Null(result.Catalog);
        return result.Errors;
    }

    private string At(string name, int line, int column) => $"{Path.Combine(_folder, name)}:{line}:{column}";

    [Fact]
    public void The_shipped_catalog_loads_with_its_documented_roles()
    {
        RoleCatalog catalog = RoleCatalog.Load(Path.Combine(RepoRoot(), "policies", "roles"));

        Assert.Equal(["contractor-baseline", "engineering-manager", "finance-controller", "head-of-security", "payments-operator", "payroll-approver",
            "radio-engineer", "security-consultant", "software-engineer"], catalog.Roles.Select(r => r.Id));
        RoleDefinition controller = catalog.Require("FINANCE-Controller");
        Assert.True(controller.Privileged);
        Assert.Equal(ScreeningLevel.Enhanced, controller.ScreeningLevel);
        Assert.False(controller.BaselineBeforeScreening);
        Assert.Equal("P3M", controller.AccessReview.ToString());
        Assert.Equal(Guid.Parse("7d2a9c41-0b6e-4f3a-8e15-2c9b7a4d6e01"), controller.Groups[1].ObjectId);
        RoleDefinition engineer = catalog.Require("software-engineer");
        Assert.True(engineer.BaselineBeforeScreening);
        Assert.Equal("ENTERPRISEPACK", engineer.Licences.Single().SkuPartNumber);
        Assert.Equal("Developer", engineer.AppRoles.Single().Value);
        Assert.Equal(ScreeningLevel.Standard, catalog.Require("payroll-approver").ScreeningLevelFor("de"));
        Assert.Equal(ScreeningLevel.Enhanced, catalog.Require("payroll-approver").ScreeningLevelFor("GB"));
        Assert.Equal(ScreeningLevel.Enhanced, catalog.Require("payroll-approver").ScreeningLevelFor(null));
    }

    [Fact]
    public void Roles_are_found_by_id_in_any_case_and_by_wildcard()
    {
        Write("a.yaml", Minimal);
        Write("b.yaml", Minimal.Replace("analyst", "auditor", StringComparison.Ordinal).Replace("Analyst", "Auditor", StringComparison.Ordinal));

        RoleCatalog catalog = RoleCatalog.Load(_folder);

        Assert.Equal("analyst", catalog.Find("ANALYST")!.Id);
        Assert.Null(catalog.Find("analyst2"));
        Assert.Equal(["analyst", "auditor"], catalog.Match(["a*"]).Select(r => r.Id));
        Assert.Equal(["auditor"], catalog.Match(["*TOR"]).Select(r => r.Id));
        Assert.Equal($"{At("a.yaml", 2, 5)}", catalog.Require("analyst").Source);
    }

    [Fact]
    public void Defaults_are_not_privileged_and_grant_nothing_before_screening_clears()
    {
        RoleDefinition role = RoleCatalog.Load(Write("roles.yaml", Minimal)).Require("analyst");

        Assert.False(role.Privileged);
        Assert.False(role.BaselineBeforeScreening);
        Assert.Empty(role.Groups);
        Assert.Empty(role.Conflicts);
    }

    [Fact]
    public void An_unknown_key_is_an_error_at_its_line_and_column_naming_the_keys_allowed()
    {
        PolicyError error = Assert.Single(Errors(Minimal + "    privilged: true\n"));

        Assert.Equal(At("roles.yaml", 7, 5), error.Location);
        Assert.Equal("unknown key 'privilged' in roles[0].", error.Message);
        Assert.Contains("'privileged'", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_error_of_every_file_is_listed_not_only_the_first()
    {
        Write("a.yaml", "roles:\n  - id: one\n    title: One\n    colour: red\n    screening:\n      level: Severe\n    accessReview: six months\n");
        Write("b.yaml", "roles:\n  - id: two\n    titel: Two\n    screening: { level: Basic }\n    accessReview: P1Y\n");

        RoleCatalogValidation result = RoleCatalog.Validate(_folder);

        Assert.Equal(
        [
            $"{At("a.yaml", 4, 5)}: unknown key 'colour' in roles[0].",
            $"{At("a.yaml", 6, 14)}: roles[0].screening.level is 'Severe', which is not a screening level.",
            $"{At("a.yaml", 7, 19)}: roles[0].accessReview is 'six months', which is not an ISO 8601 duration.",
            $"{At("b.yaml", 2, 5)}: the role 'two' has no 'title'.",
            $"{At("b.yaml", 3, 5)}: unknown key 'titel' in roles[0].",
        ], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Loading_a_broken_catalog_throws_one_error_that_lists_every_problem()
    {
        Write("a.yaml", "roles:\n  - id: one\n    title: One\n    screening: { level: Basic }\n    accessReview: soon\n  - id: ''\n    title: Two\n    screening: { level: Basic }\n    accessReview: P1Y\n");

        IsmsException error = Assert.Throws<IsmsException>(() => RoleCatalog.Load(_folder));

        Assert.Equal("IsmsOps.Policy.Invalid", error.ErrorId);
        Assert.Contains("has 2 errors. Nothing was changed.", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{At("a.yaml", 5, 19)}: roles[0].accessReview is 'soon'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{At("a.yaml", 6, 9)}: roles[1].id is empty.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_or_missing_id_is_an_error()
    {
        IReadOnlyList<PolicyError> errors = Errors("roles:\n  - id:\n    title: A\n    screening: { level: Basic }\n    accessReview: P1Y\n  - title: B\n    screening: { level: Basic }\n    accessReview: P1Y\n");

        Assert.Equal([$"{At("roles.yaml", 2, 8)}: roles[0].id is empty.", $"{At("roles.yaml", 6, 5)}: roles[1] has no 'id'."], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_role_id_with_spaces_is_an_error_that_shows_the_form_of_an_id()
    {
        PolicyError error = Assert.Single(Errors(Minimal.Replace("id: analyst", "id: Data Analyst", StringComparison.Ordinal)));

        Assert.Equal($"{At("roles.yaml", 2, 9)}: roles[0].id is 'Data Analyst', which is not a role id.", error.ToString());
    }

    [Fact]
    public void A_duplicate_id_across_files_is_an_error_at_the_second_that_names_the_first()
    {
        Write("a.yaml", Minimal);
        Write("b.yaml", Minimal.Replace("id: analyst", "id: Analyst", StringComparison.Ordinal));

        PolicyError error = Assert.Single(RoleCatalog.Validate(_folder).Errors);

        Assert.Equal(At("b.yaml", 2, 9), error.Location);
        Assert.Equal($"the role id 'Analyst' is already defined at {At("a.yaml", 2, 9)}.", error.Message);
    }

    [Fact]
    public void A_review_cadence_that_is_not_a_duration_or_is_zero_is_an_error()
    {
        Assert.Equal("roles[0].accessReview is 'quarterly', which is not an ISO 8601 duration.",
            Assert.Single(Errors(Minimal.Replace("P1Y", "quarterly", StringComparison.Ordinal))).Message);
        Assert.Equal("roles[0].accessReview is 'P0D': a review cadence must be longer than zero.",
            Assert.Single(Errors(Minimal.Replace("P1Y", "P0D", StringComparison.Ordinal))).Message);
    }

    [Fact]
    public void An_unknown_screening_level_or_country_is_an_error()
    {
        IReadOnlyList<PolicyError> errors = Errors(Minimal.Replace("level: Basic", "level: Basic\n      byCountry:\n        GBR: Enhanced\n        US: Top", StringComparison.Ordinal));

        Assert.Equal(
        [
            $"{At("roles.yaml", 7, 9)}: 'GBR' in roles[0].screening.byCountry is not a two-letter ISO 3166-1 country code.",
            $"{At("roles.yaml", 8, 13)}: roles[0].screening.byCountry.US is 'Top', which is not a screening level.",
        ], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_conflict_naming_a_role_that_does_not_exist_is_an_error_that_suggests_the_near_one()
    {
        PolicyError error = Assert.Single(Errors(Minimal + "    conflicts:\n      - role: paymentsoperator\n  - id: payments-operator\n    title: P\n    screening: { level: Basic }\n    accessReview: P1Y\n"));

        Assert.Equal($"{At("roles.yaml", 8, 15)}: roles[0].conflicts[0].role names the role 'paymentsoperator', which is not in the catalog.", error.ToString());
        Assert.Equal("Did you mean 'payments-operator'?", error.RecommendedAction);
        Assert.Equal("Did you mean 'payments-operator'?",
            Assert.Single(Errors(Minimal + "    conflicts:\n      - role: Payments-Operater\n  - id: payments-operator\n    title: P\n    screening: { level: Basic }\n    accessReview: P1Y\n")).RecommendedAction);
        Assert.StartsWith("Use the id of a role defined in the catalog (analyst, payments-operator)",
            Assert.Single(Errors(Minimal + "    conflicts:\n      - role: treasurer\n  - id: payments-operator\n    title: P\n    screening: { level: Basic }\n    accessReview: P1Y\n")).RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void A_role_conflicting_with_itself_is_an_error()
    {
        PolicyError error = Assert.Single(Errors(Minimal + "    conflicts:\n      - role: ANALYST\n"));

        Assert.Equal($"{At("roles.yaml", 8, 15)}: the role 'analyst' lists itself as a conflict.", error.ToString());
    }

    [Fact]
    public void A_conflict_must_name_exactly_one_thing()
    {
        IReadOnlyList<PolicyError> errors = Errors(Minimal + "    conflicts:\n      - reason: nothing named\n      - role: analyst2\n        group: { displayName: X }\n");

        Assert.Equal($"{At("roles.yaml", 8, 9)}: roles[0].conflicts[0] names nothing to conflict with.", errors[0].ToString());
        Assert.Equal($"{At("roles.yaml", 9, 9)}: roles[0].conflicts[1] names 2 things; each conflict names one.", errors[1].ToString());
    }

    [Fact]
    public void A_role_that_grants_what_it_conflicts_with_is_an_error()
    {
        PolicyError error = Assert.Single(Errors(Minimal + "    birthright:\n      groups:\n        - displayName: Payments\n    conflicts:\n      - group: { displayName: payments }\n"));

        Assert.Equal("the role 'analyst' grants group 'payments' as birthright access and also lists it as a conflict.", error.Message);
    }

    [Fact]
    public void Birthright_ids_must_be_guids_and_each_entry_must_name_something()
    {
        IReadOnlyList<PolicyError> errors = Errors(Minimal + "    birthright:\n      groups:\n        - objectId: not-a-guid\n        - {}\n      appRoles:\n        - value: Reader\n");

        Assert.Equal(
        [
            $"{At("roles.yaml", 9, 21)}: roles[0].birthright.groups[0].objectId is 'not-a-guid', which is not an object id (a GUID).",
            $"{At("roles.yaml", 10, 11)}: roles[0].birthright.groups[1] names no group.",
            $"{At("roles.yaml", 12, 11)}: roles[0].birthright.appRoles[0] names no application.",
        ], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_file_that_is_not_yaml_is_reported_and_the_other_files_are_still_checked()
    {
        Write("a.yaml", "roles:\n  - id: a\n   title: bad indent\n");
        Write("b.yaml", Minimal + "    bogus: 1\n");

        IReadOnlyList<PolicyError> errors = RoleCatalog.Validate(_folder).Errors;

        Assert.Equal(2, errors.Count);
        Assert.StartsWith($"{At("a.yaml", 3, 4)}: this is not valid YAML", errors[0].ToString(), StringComparison.Ordinal);
        Assert.Equal($"{At("b.yaml", 7, 5)}: unknown key 'bogus' in roles[0].", errors[1].ToString());
    }

    [Fact]
    public void A_file_without_a_roles_list_is_an_error()
    {
        Assert.Equal("the file has no 'roles' list.", Assert.Single(Errors("{}\n")).Message);
        Assert.Equal("roles must be a list, not a mapping.", Assert.Single(Errors("roles:\n  id: a\n")).Message);
    }

    [Fact]
    public void A_policy_folder_without_a_roles_folder_has_an_empty_catalog_and_a_missing_path_is_an_error()
    {
        Assert.Same(RoleCatalog.Empty, RoleCatalog.From(new PolicyFolder(_folder, "test")));
        Assert.Same(RoleCatalog.Empty, RoleCatalog.From(PolicyFolder.BuiltIn));
        IsmsException missing = Assert.Throws<IsmsException>(() => RoleCatalog.Validate(Path.Combine(_folder, "nope")));
        Assert.Equal("IsmsOps.Policy.NotFound", missing.ErrorId);
    }

    [Fact]
    public void A_job_role_resolves_by_id_or_by_a_unique_title_and_an_unknown_one_is_refused()
    {
        RoleCatalog catalog = RoleCatalog.Load(Path.Combine(RepoRoot(), "policies", "roles"));

        Assert.Equal("software-engineer", catalog.ResolveJobRole("Software-Engineer").Id);
        Assert.Equal("software-engineer", catalog.ResolveJobRole("software engineer").Id);
        IsmsException error = Assert.Throws<IsmsException>(() => catalog.ResolveJobRole("Astronaut"));
        Assert.Equal("IsmsOps.Role.NotFound", error.ErrorId);
        Assert.Contains("finance-controller", error.RecommendedAction, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    internal static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IsmsOps.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root was not found.");
    }
}
