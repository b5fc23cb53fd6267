using System.Text.Json;
using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Assessment.Resources;
using IsmsOps.Engine.Tests.Roles;
using NJsonSchema;

namespace IsmsOps.Engine.Tests.Assessment;

/// <summary>
/// policies/schema/control.schema.json is what editors check control files against; these tests validate every
/// shipped control file with a real JSON Schema validator and keep the schema and the reader naming the same keys.
/// </summary>
public sealed class ControlSchemaTests
{
    private static readonly string Root = RoleCatalogFileTests.RepoRoot();
    private static readonly string SchemaPath = Path.Combine(Root, "policies", "schema", "control.schema.json");
    private static readonly JsonElement SchemaJson = JsonDocument.Parse(File.ReadAllText(SchemaPath)).RootElement;

    public static TheoryData<string> ShippedControlFiles() =>
        new(Directory.GetFiles(Path.Combine(Root, "policies", "controls"), "*.yaml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f)));

    [Theory]
    [MemberData(nameof(ShippedControlFiles))]
    public async Task Every_shipped_control_file_validates_against_the_schema_and_reads_without_errors(string file)
    {
        string path = Path.Combine(Root, file);
        JsonSchema schema = await JsonSchema.FromFileAsync(SchemaPath);

        var errors = schema.Validate(ToJson(YamlTree.Load(path)));
        (IReadOnlyList<ControlDefinition> controls, IReadOnlyList<ControlLoadError> readErrors) = ControlReader.ReadFile(path);

        Assert.Empty(errors.Select(e => $"{e.Path}: {e.Kind}"));
        Assert.Empty(readErrors.Select(e => e.Error.ToString()));
        Assert.NotEmpty(controls);
    }

    [Fact]
    public async Task The_schema_rejects_an_unknown_key_an_unknown_operator_and_a_bad_severity()
    {
        JsonSchema schema = await JsonSchema.FromFileAsync(SchemaPath);
        string bad = """
            controls:
              - id: ISMS-X-001
                title: t
                objective: o
                severity: Severe
                resource: account
                references: { iso27001:2022: [A.5.18] }
                colour: red
                condition: { field: accountEnabled, equal: true }
                remediation: r
            """;

        var errors = schema.Validate(ToJson(YamlTree.Parse(bad, "bad.yaml")));
        string all = string.Join("\n", errors.Select(Describe));

        Assert.Contains("colour", all, StringComparison.Ordinal);
        Assert.Contains("severity", all, StringComparison.Ordinal);
        Assert.Contains("condition", all, StringComparison.Ordinal);
    }

    [Fact]
    public void The_schema_names_the_same_keys_operators_types_and_evidence_as_the_reader()
    {
        JsonElement definitions = SchemaJson.GetProperty("definitions");
        JsonElement control = definitions.GetProperty("control");
        Assert.Equal(ControlReader.FileKeys.Order(), Keys(SchemaJson));
        Assert.Equal(ControlReader.ControlKeys.Order(), Keys(control));
        Assert.Equal(ControlReader.RequiredControlKeys.Order(), control.GetProperty("required").EnumerateArray().Select(e => e.GetString()!).Order());
        Assert.Equal(ControlReader.ReferenceFrameworks.Order(), Keys(control.GetProperty("properties").GetProperty("references")));
        Assert.Equal(ControlReader.ParameterKeys.Order(), Keys(definitions.GetProperty("parameter").GetProperty("oneOf")[2]));
        Assert.Equal(ConditionCompiler.FieldOperators.Append("field").Order(), Keys(definitions.GetProperty("fieldCondition")));
        Assert.Equal(ConditionCompiler.CountOperators.Append("count").Order(), Keys(definitions.GetProperty("countCondition")));
        Assert.Equal(ConditionCompiler.CountKeys.Order(), Keys(definitions.GetProperty("countCondition").GetProperty("properties").GetProperty("count")));
        Assert.Equal(ConditionCompiler.LogicKeys.Order(),
            definitions.GetProperty("condition").GetProperty("oneOf").EnumerateArray().Where(v => v.TryGetProperty("properties", out _)).SelectMany(Keys).Order());
        Assert.Equal(PolicyResourceCatalog.Names.Order(), Enum(control, "resource"));
        Assert.Equal(EvidenceKinds.All.Order(), control.GetProperty("properties").GetProperty("evidence").GetProperty("items").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).Order());
        Assert.Equal(System.Enum.GetNames<ControlSeverity>().Order(), Enum(control, "severity"));
    }

    [Fact]
    public async Task The_waiver_schema_accepts_the_documented_waiver_refuses_one_without_expiry_and_names_the_readers_keys()
    {
        JsonSchema schema = await JsonSchema.FromFileAsync(Path.Combine(Root, "policies", "schema", "waiver.schema.json"));
        string good = "waivers:\n  - { id: W1, control: ISMS-ACC-002, resources: [u1], category: AcceptedRisk, justification: j, approver: a, createdOn: 2026-11-01, expiresOn: 2027-02-01 }\n";
        string bad = "waivers:\n  - { id: W1, control: ISMS-ACC-002, category: Forever, justification: j, approver: a, createdOn: 2026-11-01 }\n";
        JsonElement waiver = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "policies", "schema", "waiver.schema.json"))).RootElement.GetProperty("definitions").GetProperty("waiver");

        Assert.Empty(schema.Validate(ToJson(YamlTree.Parse(good, "good.yaml"))));
        Assert.NotEmpty(schema.Validate(ToJson(YamlTree.Parse(bad, "bad.yaml"))));
        Assert.Equal(WaiverReader.WaiverKeys.Order(), Keys(waiver));
        Assert.Equal(WaiverReader.RequiredKeys.Order(), waiver.GetProperty("required").EnumerateArray().Select(e => e.GetString()!).Order());
    }

    [Fact]
    public void The_policy_language_page_lists_every_resource_type_and_field()
    {
        string page = Path.Combine(Root, "docs", "policy-language.md");
        string text = File.ReadAllText(page);
        int start = text.IndexOf(PolicyLanguageReference.StartMarker, StringComparison.Ordinal);
        int end = text.IndexOf(PolicyLanguageReference.EndMarker, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/policy-language.md lacks the resource-type markers.");
        string expected = PolicyLanguageReference.StartMarker + "\n\n" + PolicyLanguageReference.ResourceTables() + "\n";
        string actual = text[start..end];
        if (actual != expected && Environment.GetEnvironmentVariable("ISMSOPS_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(page, text[..start] + expected + text[end..]);
            return;
        }

        Assert.True(actual == expected, "docs/policy-language.md is out of date: run this test with ISMSOPS_UPDATE_DOCS=1 to regenerate its resource tables.");
    }

    [Fact]
    public void The_policy_language_page_documents_every_operator_key_and_evidence_kind()
    {
        string text = File.ReadAllText(Path.Combine(Root, "docs", "policy-language.md"));

        string[] missing = ConditionCompiler.AllConditionKeys.Concat(ControlReader.ControlKeys).Concat(WaiverReader.WaiverKeys)
            .Concat(ControlFixtures.TestKeys).Concat(ControlFixtures.ExpectKeys).Concat(EvidenceKinds.All)
            .Distinct().Where(k => !text.Contains($"`{k}`", StringComparison.Ordinal) && !text.Contains($"{k}:", StringComparison.Ordinal)).ToArray();

        Assert.Empty(missing);
    }

    internal static string ToJson(YamlTreeNode node) => JsonSerializer.Serialize(node.ToPlainValue());

    private static string Describe(NJsonSchema.Validation.ValidationError error) =>
        error is NJsonSchema.Validation.ChildSchemaValidationError child
            ? $"{error.Path}: {error.Kind} [{string.Join("; ", child.Errors.SelectMany(e => e.Value).Select(Describe))}]"
            : $"{error.Path}: {error.Kind} {error.Property}";

    private static IEnumerable<string> Keys(JsonElement schema) => schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order();

    private static IEnumerable<string> Enum(JsonElement control, string key) =>
        control.GetProperty("properties").GetProperty(key).GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).Order();
}

/// <summary>The recipes of docs/policy-language.md compile, so the examples a control author copies are valid.</summary>
public sealed class PolicyLanguageRecipeTests
{
    [Fact]
    public void Every_recipe_in_the_language_page_compiles_for_its_resource_type()
    {
        string text = File.ReadAllText(Path.Combine(RoleCatalogFileTests.RepoRoot(), "docs", "policy-language.md"));
        int start = text.IndexOf("```yaml recipes\n", StringComparison.Ordinal) + "```yaml recipes\n".Length;
        string block = text[start..text.IndexOf("```", start, StringComparison.Ordinal)];
        YamlTreeNode recipes = YamlTree.Parse(block, "policy-language.md#recipes");
        var compiler = new ConditionCompiler(new Dictionary<string, object?>(), new Dictionary<string, YamlTreeNode>(), DateTimeOffset.UtcNow);

        Assert.True(recipes.Items.Count >= 10);
        foreach (YamlTreeNode recipe in recipes.Items)
        {
            PolicyResourceType type = PolicyResourceCatalog.Find(recipe.Get("resource")!.Value)!;
            compiler.Compile(recipe.Get("condition")!, type);
            if (recipe.Get("selector") is YamlTreeNode selector)
            {
                compiler.Compile(selector, type);
            }
        }
    }
}
