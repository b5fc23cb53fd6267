using System.Text.Json;
using System.Text.RegularExpressions;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Screening;
using YamlDotNet.RepresentationModel;

namespace IsmsOps.Engine.Tests.Roles;

/// <summary>
/// policies/schema/role.schema.json is what editors check role files against; these tests keep it and the loader
/// saying the same thing. The schema keywords it uses are few, so a small checker here stands in for a schema library.
/// </summary>
public sealed class RoleSchemaTests
{
    private static readonly string Root = RoleCatalogFileTests.RepoRoot();
    private static readonly JsonElement Schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "policies", "schema", "role.schema.json"))).RootElement;

    public static TheoryData<string> ShippedFiles() => new(Directory.GetFiles(Path.Combine(Root, "policies", "roles"), "*.yaml").Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void Every_shipped_role_file_passes_both_the_loader_and_the_schema(string name)
    {
        string path = Path.Combine(Root, "policies", "roles", name);

        Assert.True(RoleCatalog.Validate(path).IsValid);
        Assert.Empty(Check(Load(path), Schema, "$"));
    }

    [Fact]
    public void The_schema_refuses_what_the_loader_refuses_for_a_missing_key_an_unknown_key_and_a_bad_level()
    {
        YamlNode role = Load("roles:\n  - id: a\n    title: A\n    colour: red\n    screening: { level: Severe }\n");

        Assert.Equal(
        [
            "$.roles[0]: 'accessReview' is required",
            "$.roles[0].colour: not allowed",
            "$.roles[0].screening.level: 'Severe' is not one of Basic, Standard, Enhanced",
        ], Check(role, Schema, "$"));
    }

    [Fact]
    public void The_schema_names_the_same_keys_as_the_loader()
    {
        JsonElement definitions = Schema.GetProperty("definitions");
        Assert.Equal(RoleFileReader.TopKeys.Order(), Keys(Schema));
        Assert.Equal(RoleFileReader.RoleKeys.Order(), Keys(definitions.GetProperty("role")));
        Assert.Equal(RoleFileReader.ScreeningKeys.Order(), Keys(definitions.GetProperty("role").GetProperty("properties").GetProperty("screening")));
        Assert.Equal(RoleFileReader.BirthrightKeys.Order(), Keys(definitions.GetProperty("role").GetProperty("properties").GetProperty("birthright")));
        Assert.Equal(RoleFileReader.GroupKeys.Order(), Keys(definitions.GetProperty("group")));
        Assert.Equal(RoleFileReader.LicenceKeys.Order(), Keys(definitions.GetProperty("licence")));
        Assert.Equal(RoleFileReader.AppRoleKeys.Order(), Keys(definitions.GetProperty("appRole")));
        Assert.Equal(RoleFileReader.ConflictKeys.Order(), Keys(definitions.GetProperty("conflict")));
        Assert.Equal(Enum.GetNames<ScreeningLevel>(), definitions.GetProperty("level").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!));
    }

    private static IEnumerable<string> Keys(JsonElement schema) => schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order();

    private static YamlNode Load(string pathOrText)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.Exists(pathOrText) ? File.ReadAllText(pathOrText) : pathOrText));
        return stream.Documents[0].RootNode;
    }

    private static List<string> Check(YamlNode node, JsonElement schema, string at)
    {
        var problems = new List<string>();
        if (schema.TryGetProperty("$ref", out JsonElement reference))
        {
            return Check(node, Schema.GetProperty("definitions").GetProperty(reference.GetString()!["#/definitions/".Length..]), at);
        }

        string? type = schema.TryGetProperty("type", out JsonElement t) ? t.GetString() : null;
        string? text = (node as YamlScalarNode)?.Value;
        switch (type)
        {
            case "object" when node is not YamlMappingNode:
            case "array" when node is not YamlSequenceNode:
            case "string" when node is not YamlScalarNode:
            case "boolean" when text is not ("true" or "false"):
                problems.Add($"{at}: not {type}");
                return problems;
        }

        if (text is not null)
        {
            if (schema.TryGetProperty("enum", out JsonElement options) && !options.EnumerateArray().Any(o => o.GetString() == text))
            {
                problems.Add($"{at}: '{text}' is not one of {string.Join(", ", options.EnumerateArray().Select(o => o.GetString()))}");
            }

            if (schema.TryGetProperty("pattern", out JsonElement pattern) && !Regex.IsMatch(text, pattern.GetString()!))
            {
                problems.Add($"{at}: '{text}' does not match {pattern.GetString()}");
            }

            if (schema.TryGetProperty("minLength", out JsonElement min) && text.Length < min.GetInt32())
            {
                problems.Add($"{at}: too short");
            }
        }

        if (node is YamlSequenceNode list && schema.TryGetProperty("items", out JsonElement items))
        {
            int i = 0;
            foreach (YamlNode item in list)
            {
                problems.AddRange(Check(item, items, $"{at}[{i++}]"));
            }
        }

        if (node is YamlMappingNode map)
        {
            string[] present = map.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToArray();
            foreach (JsonElement required in schema.TryGetProperty("required", out JsonElement r) ? r.EnumerateArray() : Enumerable.Empty<JsonElement>())
            {
                if (!present.Contains(required.GetString()))
                {
                    problems.Add($"{at}: '{required.GetString()}' is required");
                }
            }

            foreach (string combinator in new[] { "anyOf", "oneOf" })
            {
                if (schema.TryGetProperty(combinator, out JsonElement alternatives))
                {
                    int matching = alternatives.EnumerateArray().Count(a => a.GetProperty("required").EnumerateArray().All(k => present.Contains(k.GetString())));
                    if (matching == 0 || (combinator == "oneOf" && matching > 1))
                    {
                        problems.Add($"{at}: {combinator} not satisfied");
                    }
                }
            }

            if (schema.TryGetProperty("minProperties", out JsonElement minProperties) && present.Length < minProperties.GetInt32())
            {
                problems.Add($"{at}: too few keys");
            }

            foreach ((YamlNode key, YamlNode value) in map.Children)
            {
                string name = ((YamlScalarNode)key).Value!;
                if (schema.TryGetProperty("properties", out JsonElement properties) && properties.TryGetProperty(name, out JsonElement property))
                {
                    problems.AddRange(Check(value, property, $"{at}.{name}"));
                }
                else if (schema.TryGetProperty("additionalProperties", out JsonElement additional))
                {
                    if (additional.ValueKind == JsonValueKind.False)
                    {
                        problems.Add($"{at}.{name}: not allowed");
                    }
                    else if (additional.ValueKind == JsonValueKind.Object)
                    {
                        problems.AddRange(Check(value, additional, $"{at}.{name}"));
                    }
                }

                if (schema.TryGetProperty("propertyNames", out JsonElement names) && !Regex.IsMatch(name, names.GetProperty("pattern").GetString()!))
                {
                    problems.Add($"{at}.{name}: name does not match");
                }
            }
        }

        return problems;
    }
}
