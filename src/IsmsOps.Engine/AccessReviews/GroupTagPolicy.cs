using System.Text.RegularExpressions;
using IsmsOps.Engine.Policies;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.AccessReviews;

/// <summary>One tag of <c>policies/group-tags.yaml</c>: the groups it names, by display name (wildcards) or object id.</summary>
public sealed class GroupTag
{
    private readonly NamePatternSet _patterns;

    /// <param name="name">The tag, as written.</param>
    /// <param name="groups">Display-name patterns and object ids, as written.</param>
    /// <param name="line">The line of the file the tag is defined on.</param>
    public GroupTag(string name, IReadOnlyList<string> groups, long line)
    {
        Name = name;
        Groups = groups;
        Line = line;
        _patterns = new NamePatternSet(groups);
    }

    /// <summary>The tag, as written.</summary>
    public string Name { get; }

    /// <summary>Display-name patterns and object ids, as written.</summary>
    public IReadOnlyList<string> Groups { get; }

    /// <summary>The line of the file the tag is defined on.</summary>
    public long Line { get; }

    /// <summary>True when <paramref name="group"/>'s display name or object id matches one of <see cref="Groups"/>.</summary>
    public bool Matches(SnapshotGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        // An empty pattern set matches everything; a tag always names at least one group, but never let that slip.
        return Groups.Count > 0 && (_patterns.Matches(group.DisplayName) || _patterns.Matches(group.Id));
    }
}

/// <summary>
/// Group tags: Entra ID groups carry no tags, so IsmsOps defines them as policy in <c>policies/group-tags.yaml</c>, a
/// mapping of tag to the groups it names (<c>sox: [ 'Finance*', 'Payroll Approvers' ]</c>). One tag is built in:
/// <c>privileged</c>, carried by every group the role catalog's privileged roles grant. <c>New-IsmsAccessReview
/// -GroupTag</c> selects groups by tag. See docs/access-reviews.md.
/// </summary>
public sealed class GroupTagPolicy
{
    /// <summary>The policy file's name in the policy folder.</summary>
    public const string FileName = "group-tags.yaml";

    /// <summary>The built-in tag of every group a privileged catalog role grants.</summary>
    public const string Privileged = "privileged";

    private static readonly Regex TagName = new("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", RegexOptions.CultureInvariant);

    private GroupTagPolicy(IReadOnlyList<GroupTag> tags, string source)
    {
        Tags = tags;
        Source = source;
    }

    /// <summary>No file: only the built-in <c>privileged</c> tag.</summary>
    public static GroupTagPolicy Default { get; } = new([], "built-in defaults");

    /// <summary>The tags the file defines, in file order (the built-in <c>privileged</c> is not among them).</summary>
    public IReadOnlyList<GroupTag> Tags { get; }

    /// <summary>The file the tags came from, or "built-in defaults".</summary>
    public string Source { get; }

    /// <summary>Every tag there is: the file's, then <c>privileged</c>.</summary>
    public IReadOnlyList<string> TagNames => [.. Tags.Select(t => t.Name), Privileged];

    /// <summary>The policy from <paramref name="folder"/>'s group-tags.yaml, or only the built-in tag when it has none.</summary>
    public static GroupTagPolicy From(PolicyFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return folder.FileFor(FileName) is string path ? Load(path) : Default;
    }

    /// <summary>
    /// Reads <paramref name="path"/>: a mapping of tag names to lists of group display-name patterns or object ids.
    /// A tag name that is not a word (letters, digits, '-', '_', '.'), a tag defined twice (case-insensitively), the
    /// built-in <c>privileged</c>, a tag that is not a list or names no group, are errors naming file:line:column.
    /// </summary>
    public static GroupTagPolicy Load(string path)
    {
        PolicyFile file = PolicyFile.Load(path);
        var tags = new List<GroupTag>();
        foreach ((string key, PolicyNode keyNode, PolicyNode value) in file.Root.Mapping())
        {
            if (!TagName.IsMatch(key))
            {
                throw keyNode.Error($"'{key}' is not a tag name.", "Name a tag with letters, digits, '-', '_' or '.' (up to 64), starting with a letter or digit: sox, pci-dss, iso27001.");
            }

            if (string.Equals(key, Privileged, StringComparison.OrdinalIgnoreCase))
            {
                throw keyNode.Error($"'{key}' is built in: every group the role catalog's privileged roles grant carries it, and the file cannot redefine it.",
                    "Mark the role privileged in policies/roles/ to add its groups, or choose another tag name.");
            }

            if (tags.FirstOrDefault(t => string.Equals(t.Name, key, StringComparison.OrdinalIgnoreCase)) is GroupTag earlier)
            {
                throw keyNode.Error($"the tag '{key}' is defined twice (first on line {earlier.Line}; tags are compared ignoring case).",
                    "Merge the two lists into one.");
            }

            IReadOnlyList<PolicyNode> items = value.Sequence();
            if (items.Count == 0)
            {
                throw value.Error($"the tag '{key}' names no group.", "List the groups' display names (wildcards allowed, e.g. 'Finance*') or object ids, or remove the tag.");
            }

            tags.Add(new GroupTag(key, items.Select(item => item.Scalar().Trim()).ToArray(), keyNode.Line));
        }

        return new GroupTagPolicy(tags, path);
    }

    /// <summary>
    /// The tag names <paramref name="pattern"/> (wildcards allowed) stands for, in <see cref="TagNames"/> order. Throws
    /// IsmsOps.AccessReview.UnknownGroupTag, naming the tags there are and the file, when it matches none.
    /// </summary>
    public IReadOnlyList<string> Resolve(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var match = new NamePatternSet([pattern]);
        string[] names = TagNames.Where(match.Matches).ToArray();
        if (names.Length == 0)
        {
            throw new IsmsException("IsmsOps.AccessReview.UnknownGroupTag", IsmsErrorKind.InvalidArgument,
                $"No group tag is called '{pattern}'. The tags are {string.Join(", ", TagNames.Select(t => $"'{t}'"))} ({Origin()}). Nothing was created.",
                $"Give one of those tags, or define '{pattern}' in {FileName} in the policy folder ($ISMSOPS_POLICIES, or the module's policies/).", pattern);
        }

        return names;
    }

    private string Origin() =>
        ReferenceEquals(this, Default) ? $"only the built-in one: the policy folder holds no {FileName}"
        : Tags.Count == 0 ? $"only the built-in one: {Source} defines none"
        : $"from {Source}, and the built-in '{Privileged}'";

    /// <summary>Checks that each of <paramref name="patterns"/> names a tag; see <see cref="Resolve"/>.</summary>
    public void RequireKnown(IEnumerable<string> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        foreach (string pattern in patterns)
        {
            Resolve(pattern);
        }
    }

    /// <summary>The tag called <paramref name="name"/> (exactly one of <see cref="TagNames"/>), or null for the built-in <c>privileged</c>.</summary>
    public GroupTag? Find(string name) => Tags.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
}
