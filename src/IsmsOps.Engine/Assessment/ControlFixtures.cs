using System.Globalization;
using IsmsOps.Engine.Assessment.Resources;
using IsmsOps.Engine.Policies;

namespace IsmsOps.Engine.Assessment;

/// <summary>One check of <c>Test-IsmsControl</c>: a control file read and compiled, or one fixture expectation.</summary>
public sealed record ControlTestResult
{
    /// <summary>Read (the file and its keys), Compile (the conditions), or Fixture (an expectation).</summary>
    public required string Kind { get; init; }

    /// <summary>The control id, or the file when no control could be read.</summary>
    public required string Target { get; init; }

    /// <summary>The fixture test's name, for Fixture checks.</summary>
    public string? Test { get; init; }

    /// <summary>The resource an expectation is about, or null for the control's own outcome.</summary>
    public string? ResourceId { get; init; }

    public string? Expected { get; init; }

    public string? Actual { get; init; }

    public required bool Passed { get; init; }

    /// <summary><c>file:line:column</c> of the control, or of the failing expectation.</summary>
    public required string Location { get; init; }

    public string? Message { get; init; }
}

/// <summary>
/// Runs fixture files (<c>policies/tests/*.yaml</c>): resources written inline and the outcome expected per control
/// and resource, evaluated by the same evaluator a real run uses.
/// </summary>
public static class ControlFixtures
{
    public static IReadOnlyList<string> FileKeys { get; } = ["tests"];

    public static IReadOnlyList<string> TestKeys { get; } = ["name", "evaluatedAt", "parameters", "evidenceGaps", "connected", "resources", "expect"];

    public static IReadOnlyList<string> ExpectKeys { get; } = ["control", "resource", "outcome", "skipReason"];

    /// <summary>The outcome an expectation gives for a resource the control's selector did not pick.</summary>
    public const string NotSelected = "NotSelected";

    /// <summary>Every expectation a fixture file declares, by control id and outcome, without running it (for coverage checks).</summary>
    public static IEnumerable<(string ControlId, string? ResourceId, string Outcome, string Location)> Expectations(string file)
    {
        YamlTreeNode root = YamlTree.Load(file);
        foreach (YamlTreeNode test in root.Get("tests")?.Items ?? [])
        {
            foreach (YamlTreeNode e in test.Get("expect")?.Items ?? [])
            {
                yield return (e.Get("control")?.Value ?? "", e.Get("resource")?.Value, e.Get("outcome")?.Value ?? "", e.Location);
            }
        }
    }

    /// <summary>Runs every test of <paramref name="file"/> against <paramref name="controls"/>.</summary>
    public static IReadOnlyList<ControlTestResult> Run(string file, ControlSet controls)
    {
        ArgumentNullException.ThrowIfNull(controls);
        var results = new List<ControlTestResult>();
        YamlTreeNode root;
        try
        {
            root = YamlTree.Load(file);
            ControlReader.Keys(root, FileKeys, "a fixture file");
            YamlTreeNode tests = root.Get("tests") ?? throw root.Error("the file has no 'tests:' list.", "Start the file with 'tests:' and list each test with '- name: ...'.");
            if (tests.Kind != YamlTreeKind.Sequence)
            {
                throw tests.Error($"'tests' must be a list, not {tests.Describe()}.", "Write each test under 'tests:' starting with '- name: ...'.");
            }

            foreach (YamlTreeNode test in tests.Items)
            {
                try
                {
                    results.AddRange(RunTest(test, controls));
                }
                catch (IsmsException ex) when (PolicyError.From(ex) is PolicyError error)
                {
                    results.Add(Broken(file, test.Get("name")?.Value, error));
                }
            }
        }
        catch (IsmsException ex) when (PolicyError.From(ex) is PolicyError error)
        {
            results.Add(Broken(file, null, error));
        }

        return results;
    }

    private static ControlTestResult Broken(string file, string? test, PolicyError error) => new()
    {
        Kind = "Fixture",
        Target = file,
        Test = test,
        Passed = false,
        Location = error.Location,
        Message = $"{error.Message} {error.RecommendedAction}",
    };

    private static IEnumerable<ControlTestResult> RunTest(YamlTreeNode test, ControlSet controls)
    {
        ControlReader.Keys(test, TestKeys, "a fixture test");
        string name = test.Get("name") is YamlTreeNode n ? ControlReader.Text(n, "name") : $"test at line {test.Line}";
        DateTimeOffset now = test.Get("evaluatedAt") is YamlTreeNode at ? Date(at, "evaluatedAt") : DateTimeOffset.UtcNow;
        var parameters = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        if (test.Get("parameters") is YamlTreeNode p)
        {
            ControlReader.Keys(p, p.Entries.Select(e => e.Key.Value!).ToArray(), "parameters");
            foreach ((YamlTreeNode key, YamlTreeNode value) in p.Entries)
            {
                parameters[key.Value!] = value.ToPlainValue();
            }
        }

        var missing = new Dictionary<string, AssessmentSkipReason>(StringComparer.Ordinal);
        bool connected = test.Get("connected") is not YamlTreeNode c || Bool(c, "connected");
        if (!connected)
        {
            foreach (string kind in EvidenceKinds.All.Where(EvidenceKinds.IsDirectoryArea))
            {
                missing[kind] = AssessmentSkipReason.NotConnected;
            }
        }

        if (test.Get("evidenceGaps") is YamlTreeNode gaps)
        {
            ControlReader.Keys(gaps, EvidenceKinds.All, "evidenceGaps");
            foreach ((YamlTreeNode key, YamlTreeNode value) in gaps.Entries)
            {
                string reason = ControlReader.Text(value, key.Value!);
                missing[key.Value!] = Enum.TryParse(reason, out AssessmentSkipReason r) && r != AssessmentSkipReason.None && !int.TryParse(reason, out _)
                    ? r
                    : throw value.Error($"'{reason}' is not a skip reason.", "Use NotConnected, NotLicensed, MissingPermission or NoEvidence.");
            }
        }

        ResourceSet resources = new(Resources(test.Get("resources")), missing);
        YamlTreeNode expect = test.Get("expect") ?? throw test.Error($"the test '{name}' has no 'expect:' list.", "Add expect: with - { control: <id>, resource: <id>, outcome: Pass }.");
        if (expect.Kind != YamlTreeKind.Sequence || expect.Items.Count == 0)
        {
            throw expect.Error("'expect' must be a non-empty list.", "Add - { control: <id>, resource: <id>, outcome: Pass }.");
        }

        var expectations = expect.Items.Select(Expectation).ToArray();
        string[] ids = expectations.Select(e => e.Control).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        var selected = new ControlSet
        {
            Controls = controls.Controls.Where(d => ids.Contains(d.Id, StringComparer.OrdinalIgnoreCase)).ToArray(),
            Errors = controls.Errors.Where(e => e.ControlId is not null && ids.Contains(e.ControlId, StringComparer.OrdinalIgnoreCase)).ToArray(),
            Files = controls.Files,
        };
        var run = new AssessmentRunInfo { RunId = Guid.NewGuid().ToString(), EvaluatedAt = now, Source = "fixture" };
        AssessmentOutput output = AssessmentEvaluator.Evaluate(selected, resources, WaiverSet.Empty, parameters, run);
        foreach ((string control, string? resource, string expectedOutcome, string? skip, YamlTreeNode node) in expectations)
        {
            string outcome = expectedOutcome;
            ControlResult? result = output.Results.FirstOrDefault(r => string.Equals(r.Control.Id, control, StringComparison.OrdinalIgnoreCase));
            string actual;
            string? message = null;
            if (result is null)
            {
                actual = "(no such control)";
            }
            else if (resource is null)
            {
                actual = result.Outcome.ToString();
                message = result.Message;
                if (skip is not null && result.SkipReason.ToString() != skip)
                {
                    actual += $" ({result.SkipReason})";
                    outcome += $" ({skip})";
                }
            }
            else
            {
                AssessmentFinding? finding = result.Findings.FirstOrDefault(f => string.Equals(f.ResourceId, resource, StringComparison.OrdinalIgnoreCase));
                actual = finding?.Outcome.ToString() ?? (result.Outcome is AssessmentOutcome.Skipped or AssessmentOutcome.Error ? result.Outcome.ToString() : NotSelected);
                message = finding?.Message ?? result.Message;
            }

            yield return new ControlTestResult
            {
                Kind = "Fixture",
                Target = control,
                Test = name,
                ResourceId = resource,
                Expected = outcome,
                Actual = actual,
                Passed = string.Equals(actual, outcome, StringComparison.Ordinal),
                Location = node.Location,
                Message = message,
            };
        }
    }

    private static (string Control, string? Resource, string Outcome, string? SkipReason, YamlTreeNode Node) Expectation(YamlTreeNode node)
    {
        ControlReader.Keys(node, ExpectKeys, "an expectation");
        string control = ControlReader.Text(node.Get("control") ?? throw node.Error("the expectation has no 'control'.", "Add control: <id>."), "control");
        string outcome = ControlReader.Text(node.Get("outcome") ?? throw node.Error("the expectation has no 'outcome'.", "Add outcome: Pass (or Fail, NotApplicable, Waived, Error, Skipped, NotSelected)."), "outcome");
        string? resource = node.Get("resource") is YamlTreeNode r ? ControlReader.Text(r, "resource") : null;
        string[] allowed = resource is null ? Enum.GetNames<AssessmentOutcome>() : [.. Enum.GetNames<AssessmentOutcome>(), NotSelected];
        if (!allowed.Contains(outcome, StringComparer.Ordinal))
        {
            throw node.Get("outcome")!.Error($"'{outcome}' is not an outcome{(resource is null ? " of a control" : " of a resource")}.", $"Use one of {string.Join(", ", allowed)}.");
        }

        return (control, resource, outcome, node.Get("skipReason")?.Value, node);
    }

    private static Dictionary<string, IReadOnlyList<PolicyResource>> Resources(YamlTreeNode? node)
    {
        var byType = new Dictionary<string, IReadOnlyList<PolicyResource>>(StringComparer.Ordinal);
        if (node is null)
        {
            return byType;
        }

        ControlReader.Keys(node, PolicyResourceCatalog.Names, "resources");
        var all = new Dictionary<(string Type, string Id), PolicyResource>();
        var links = new List<(PolicyResource Owner, PolicyFieldInfo Field, YamlTreeNode Value)>();
        var explicitFields = new HashSet<(PolicyResource, string)>();
        foreach ((YamlTreeNode key, YamlTreeNode list) in node.Entries)
        {
            PolicyResourceType type = PolicyResourceCatalog.Find(key.Value)!;
            if (list.Kind != YamlTreeKind.Sequence)
            {
                throw list.Error($"resources of type {type.Name} must be a list, not {list.Describe()}.", "Write each resource as '- { id: ..., <field>: <value> }'.");
            }

            var resources = new List<PolicyResource>();
            for (int i = 0; i < list.Items.Count; i++)
            {
                YamlTreeNode item = list.Items[i];
                ControlReader.Keys(item, type.Fields.Select(f => f.Name).ToArray(), $"a {type.Name}");
                PolicyResource resource = type.Create();
                resource.Id = item.Get("id")?.Value ?? (type.IsSingle ? type.Name switch { "auditTrail" => "audit-trail", _ => type.Name } : throw item.Error($"this {type.Name} has no id.", "Give each resource an id: '- { id: u1, ... }'."));
                foreach ((YamlTreeNode fieldKey, YamlTreeNode value) in item.Entries)
                {
                    PolicyFieldInfo field = type.FieldsByName[fieldKey.Value!];
                    explicitFields.Add((resource, field.Name));
                    if (field.Kind is PolicyFieldKind.Reference or PolicyFieldKind.ReferenceList)
                    {
                        links.Add((resource, field, value));
                    }
                    else if (field.Name != "id")
                    {
                        field.Property.SetValue(resource, Value(field, value));
                    }
                }

                resource.Name ??= resource.Id;
                if (!all.TryAdd((type.Name, resource.Id.ToUpperInvariant()), resource))
                {
                    throw item.Error($"two {type.Name} resources have the id '{resource.Id}'.", "Give each resource its own id.");
                }

                resources.Add(resource);
            }

            byType[type.Name] = resources;
        }

        // References by id, then the other side of each link, so a fixture states a link once.
        var targets = new Dictionary<(PolicyResource, PolicyFieldInfo), List<PolicyResource>>();
        foreach ((PolicyResource owner, PolicyFieldInfo field, YamlTreeNode value) in links)
        {
            IReadOnlyList<string> ids = field.Kind == PolicyFieldKind.Reference ? [ControlReader.Text(value, field.Name)] : ControlReader.TextList(value, field.Name);
            var resolved = ids.Select(id => all.GetValueOrDefault((field.TargetType!, id.ToUpperInvariant()))
                ?? throw value.Error($"there is no {field.TargetType} with id '{id}' in this test.", $"Add it under resources: {field.TargetType}:, or fix the id.")).ToList();
            Add(targets, owner, field, resolved);
            if (field.Inverse is string inverseName)
            {
                PolicyFieldInfo inverse = PolicyResourceCatalog.Find(field.TargetType)!.FieldsByName[inverseName];
                foreach (PolicyResource target in resolved)
                {
                    if (!explicitFields.Contains((target, inverse.Name)))
                    {
                        Add(targets, target, inverse, [owner]);
                    }
                }
            }
        }

        foreach (((PolicyResource owner, PolicyFieldInfo field), List<PolicyResource> list) in targets)
        {
            if (field.Kind == PolicyFieldKind.Reference)
            {
                field.Property.SetValue(owner, list[0]);
                continue;
            }

            var array = Array.CreateInstance(field.TargetClrType!, list.Count);
            for (int i = 0; i < list.Count; i++)
            {
                array.SetValue(list[i], i);
            }

            field.Property.SetValue(owner, array);
        }

        // Fields a real run derives from links, derived the same way unless the fixture sets them.
        foreach (AccountResource account in byType.GetValueOrDefault("account")?.Cast<AccountResource>() ?? [])
        {
            if (!explicitFields.Contains((account, "hasPerson")))
            {
                account.HasPerson = account.Person is not null;
            }
        }

        foreach (PersonResource person in byType.GetValueOrDefault("person")?.Cast<PersonResource>() ?? [])
        {
            if (!explicitFields.Contains((person, "enabledAccountCount")))
            {
                person.EnabledAccountCount = person.Accounts.Count(a => a.AccountEnabled);
            }
        }

        return byType;
    }

    private static void Add(Dictionary<(PolicyResource, PolicyFieldInfo), List<PolicyResource>> targets, PolicyResource owner, PolicyFieldInfo field, List<PolicyResource> items)
    {
        if (!targets.TryGetValue((owner, field), out List<PolicyResource>? list))
        {
            targets[(owner, field)] = list = [];
        }

        foreach (PolicyResource item in items)
        {
            if (!list.Contains(item))
            {
                list.Add(item);
            }
        }
    }

    private static object? Value(PolicyFieldInfo field, YamlTreeNode node)
    {
        Type type = field.Property.PropertyType;
        switch (field.Kind)
        {
            case PolicyFieldKind.String:
                return node.IsNull ? null : ControlReader.Text(node, field.Name);
            case PolicyFieldKind.Boolean:
                return Bool(node, field.Name);
            case PolicyFieldKind.Number:
                object? n = node.ScalarValue();
                return n is long or double
                    ? Convert.ChangeType(n, type, CultureInfo.InvariantCulture)
                    : throw node.Error($"{field.Name} is a number, not {node.Describe()}.", $"Write {field.Name}: 3.");
            case PolicyFieldKind.DateTime:
                return node.IsNull ? null : Date(node, field.Name);
            default:
                return ControlReader.TextList(node, field.Name).ToArray();
        }
    }

    private static bool Bool(YamlTreeNode node, string what) => node.ScalarValue() is bool b
        ? b
        : throw node.Error($"{what} is true or false, not {node.Describe()}.", $"Write {what}: true.");

    private static DateTimeOffset Date(YamlTreeNode node, string what)
    {
        string text = ControlReader.Text(node, what);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset date)
            ? date
            : throw node.Error($"{what} '{text}' is not a date.", $"Write an ISO 8601 date such as 2026-11-24 or 2026-11-24T09:00:00Z.");
    }

    /// <summary>Reads and compiles every control of <paramref name="controls"/> (defaults, at <paramref name="at"/>): one check per control.</summary>
    public static IReadOnlyList<ControlTestResult> Check(ControlSet controls, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(controls);
        var results = new List<ControlTestResult>();
        results.AddRange(controls.Errors.Select(e => new ControlTestResult
        {
            Kind = "Read",
            Target = e.ControlId ?? e.SourcePath,
            Passed = false,
            Location = e.Error.Location,
            Message = $"{e.Error.Message} {e.Error.RecommendedAction}",
        }));
        foreach (ControlDefinition control in controls.Controls)
        {
            string? error = null;
            string location = control.Node.Location;
            try
            {
                ControlCompiler.Compile(control, null, at);
            }
            catch (IsmsException ex) when (PolicyError.From(ex) is PolicyError e)
            {
                error = $"{e.Message} {e.RecommendedAction}";
                location = e.Location;
            }

            results.Add(new ControlTestResult { Kind = "Compile", Target = control.Id, Passed = error is null, Location = location, Message = error });
        }

        return results;
    }

}
