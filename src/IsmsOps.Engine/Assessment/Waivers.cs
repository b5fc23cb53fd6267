using System.Globalization;
using IsmsOps.Engine.Assessment.Resources;
using IsmsOps.Engine.Policies;

namespace IsmsOps.Engine.Assessment;

/// <summary>AcceptedRisk or CompensatingControl.</summary>
public enum WaiverCategory
{
    AcceptedRisk,
    CompensatingControl,
}

/// <summary>A waiver as read from <c>policies/waivers/*.yaml</c>: which failures of which control it accepts, until when.</summary>
public sealed class WaiverDefinition
{
    public required string Id { get; init; }

    public required string ControlId { get; init; }

    /// <summary>Resource ids or names covered; empty with no <see cref="Selector"/> means the whole control.</summary>
    public IReadOnlyList<string> Resources { get; init; } = [];

    /// <summary>A condition on the control's resource type picking the resources covered.</summary>
    public YamlTreeNode? Selector { get; init; }

    public WaiverCategory Category { get; init; }

    public required string Justification { get; init; }

    public required string Approver { get; init; }

    public DateTimeOffset CreatedOn { get; init; }

    /// <summary>When it stops counting: a waiver is honoured only while the evaluation time is before this.</summary>
    public DateTimeOffset ExpiresOn { get; init; }

    public required YamlTreeNode Node { get; init; }

    /// <summary>The waiver as reports show it.</summary>
    public AppliedWaiver ToApplied() => new()
    {
        Id = Id,
        Category = Category.ToString(),
        Justification = Justification,
        Approver = Approver,
        CreatedOn = CreatedOn,
        ExpiresOn = ExpiresOn,
    };
}

/// <summary>A waiver ready for one control of one run: which resources it covers, as a compiled test.</summary>
/// <param name="Definition">The waiver.</param>
/// <param name="Covers">True for the resources the waiver names (ids, names, selector, or all).</param>
public sealed record CompiledWaiver(WaiverDefinition Definition, Func<PolicyResource, bool> Covers);

/// <summary>The waivers that bear on one finding: the one honoured (if any) and those that would have matched but expired.</summary>
/// <param name="Honoured">The waiver in force that covers the finding, or null.</param>
/// <param name="Expired">Waivers covering the finding whose expiry has passed; never honoured.</param>
public readonly record struct WaiverMatch(CompiledWaiver? Honoured, IReadOnlyList<CompiledWaiver> Expired);

/// <summary>
/// The one rule for waivers, used for every finding whichever way the waiver names its resources: a waiver covers a
/// finding when it names the control and covers the resource, and is honoured only while the evaluation time is
/// before its <c>expiresOn</c>. An expired waiver is reported, never honoured.
/// </summary>
public static class WaiverMatcher
{
    /// <summary>True when <paramref name="waiver"/> is in force at <paramref name="evaluatedAt"/>.</summary>
    public static bool IsInForce(WaiverDefinition waiver, DateTimeOffset evaluatedAt)
    {
        ArgumentNullException.ThrowIfNull(waiver);
        return evaluatedAt < waiver.ExpiresOn;
    }

    /// <summary>The waivers of <paramref name="waivers"/> (all for one control) that bear on <paramref name="resource"/>.</summary>
    public static WaiverMatch Match(IReadOnlyList<CompiledWaiver> waivers, PolicyResource resource, DateTimeOffset evaluatedAt)
    {
        ArgumentNullException.ThrowIfNull(waivers);
        CompiledWaiver? honoured = null;
        List<CompiledWaiver>? expired = null;
        foreach (CompiledWaiver waiver in waivers)
        {
            if (!waiver.Covers(resource))
            {
                continue;
            }

            if (IsInForce(waiver.Definition, evaluatedAt))
            {
                honoured ??= waiver;
            }
            else
            {
                (expired ??= []).Add(waiver);
            }
        }

        return new WaiverMatch(honoured, (IReadOnlyList<CompiledWaiver>?)expired ?? []);
    }

    /// <summary>Compiles the resource test of <paramref name="waiver"/> for <paramref name="control"/>'s resource type.</summary>
    public static CompiledWaiver Compile(WaiverDefinition waiver, ControlDefinition control, DateTimeOffset evaluatedAt)
    {
        ArgumentNullException.ThrowIfNull(waiver);
        ArgumentNullException.ThrowIfNull(control);
        if (waiver.Selector is not null)
        {
            var compiler = new ConditionCompiler(new Dictionary<string, object?>(), new Dictionary<string, YamlTreeNode>(), evaluatedAt);
            return new CompiledWaiver(waiver, compiler.Compile(waiver.Selector, control.ResourceType).Test);
        }

        if (waiver.Resources.Count > 0)
        {
            var names = new HashSet<string>(waiver.Resources, StringComparer.OrdinalIgnoreCase);
            return new CompiledWaiver(waiver, r => names.Contains(r.Id) || (r.Name is not null && names.Contains(r.Name)));
        }

        return new CompiledWaiver(waiver, _ => true);
    }
}

/// <summary>The waivers read from files and the files or waivers that could not be read.</summary>
/// <param name="Waivers">Waivers read.</param>
/// <param name="Errors">Problems, each with file:line:column.</param>
public sealed record WaiverSet(IReadOnlyList<WaiverDefinition> Waivers, IReadOnlyList<PolicyError> Errors)
{
    public static WaiverSet Empty { get; } = new([], []);
}

/// <summary>Reads waiver files (<c>policies/waivers/*.yaml</c>): <c>waivers:</c>, a list of waivers.</summary>
public static class WaiverReader
{
    public static IReadOnlyList<string> FileKeys { get; } = ["waivers"];

    public static IReadOnlyList<string> WaiverKeys { get; } = ["id", "control", "resources", "selector", "category", "justification", "approver", "createdOn", "expiresOn"];

    public static IReadOnlyList<string> RequiredKeys { get; } = ["id", "control", "category", "justification", "approver", "createdOn", "expiresOn"];

    /// <summary>Reads every <c>*.yaml</c> in the folder (or the given file). A broken waiver is an error, never honoured.</summary>
    public static WaiverSet Load(string? folderOrFile)
    {
        if (folderOrFile is null || (!Directory.Exists(folderOrFile) && !File.Exists(folderOrFile)))
        {
            return WaiverSet.Empty;
        }

        IEnumerable<string> files = Directory.Exists(folderOrFile)
            ? Directory.EnumerateFiles(folderOrFile, "*.yaml", SearchOption.AllDirectories).Concat(Directory.EnumerateFiles(folderOrFile, "*.yml", SearchOption.AllDirectories)).Order(StringComparer.Ordinal)
            : [folderOrFile];
        var waivers = new List<WaiverDefinition>();
        var errors = new List<PolicyError>();
        var seen = new Dictionary<string, WaiverDefinition>(StringComparer.OrdinalIgnoreCase);
        foreach (string file in files)
        {
            try
            {
                YamlTreeNode root = YamlTree.Load(file);
                ControlReader.Keys(root, FileKeys, "a waiver file");
                YamlTreeNode list = root.Get("waivers") ?? throw root.Error("the file has no 'waivers:' list.", "Start the file with 'waivers:' and list each waiver with '- id: ...'.");
                if (list.Kind != YamlTreeKind.Sequence)
                {
                    throw list.Error($"'waivers' must be a list, not {list.Describe()}.", "Write each waiver under 'waivers:' starting with '- id: ...'.");
                }

                foreach (YamlTreeNode item in list.Items)
                {
                    try
                    {
                        WaiverDefinition waiver = Waiver(item);
                        if (seen.TryGetValue(waiver.Id, out WaiverDefinition? first))
                        {
                            throw item.Error($"the waiver id '{waiver.Id}' is already used at {first.Node.Location}.", "Give each waiver its own id.");
                        }

                        seen.Add(waiver.Id, waiver);
                        waivers.Add(waiver);
                    }
                    catch (IsmsException ex) when (PolicyError.From(ex) is PolicyError error)
                    {
                        errors.Add(error);
                    }
                }
            }
            catch (IsmsException ex) when (PolicyError.From(ex) is PolicyError error)
            {
                errors.Add(error);
            }
        }

        return new WaiverSet(waivers, errors);
    }

    private static WaiverDefinition Waiver(YamlTreeNode node)
    {
        ControlReader.Keys(node, WaiverKeys, "a waiver");
        foreach (string key in RequiredKeys)
        {
            if (node.Get(key) is null)
            {
                throw node.Error($"the waiver{(node.Get("id")?.Value is string id ? $" '{id}'" : "")} has no '{key}'.",
                    key == "expiresOn" ? "Every waiver needs an expiry: add 'expiresOn: <date>' (a waiver without one would be honoured for ever)." : $"Add '{key}:'.");
            }
        }

        if (node.Get("resources") is not null && node.Get("selector") is not null)
        {
            throw node.Get("selector")!.Error("a waiver names its resources by 'resources' or by 'selector', not both.", "Keep one of them.");
        }

        YamlTreeNode categoryNode = node.Get("category")!;
        string category = ControlReader.Text(categoryNode, "category");
        if (!Enum.TryParse(category, ignoreCase: false, out WaiverCategory parsed) || !Enum.IsDefined(parsed) || int.TryParse(category, out _))
        {
            throw categoryNode.Error($"'{category}' is not a waiver category.", "Use AcceptedRisk or CompensatingControl.");
        }

        DateTimeOffset created = Date(node.Get("createdOn")!, "createdOn");
        DateTimeOffset expires = Date(node.Get("expiresOn")!, "expiresOn");
        if (expires <= created)
        {
            throw node.Get("expiresOn")!.Error("expiresOn is not after createdOn.", "Give an expiry after the day the waiver was made.");
        }

        return new WaiverDefinition
        {
            Id = ControlReader.Text(node.Get("id")!, "id"),
            ControlId = ControlReader.Text(node.Get("control")!, "control"),
            Resources = node.Get("resources") is YamlTreeNode r ? ControlReader.TextList(r, "resources") : [],
            Selector = node.Get("selector"),
            Category = parsed,
            Justification = ControlReader.Text(node.Get("justification")!, "justification"),
            Approver = ControlReader.Text(node.Get("approver")!, "approver"),
            CreatedOn = created,
            ExpiresOn = expires,
            Node = node,
        };
    }

    private static DateTimeOffset Date(YamlTreeNode node, string what)
    {
        string text = ControlReader.Text(node, what);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset date)
            ? date
            : throw node.Error($"{what} '{text}' is not a date.", $"Write {what} as an ISO 8601 date, such as 2027-01-31 (midnight UTC).");
    }
}
