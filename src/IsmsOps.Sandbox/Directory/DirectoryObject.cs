namespace IsmsOps.Sandbox.Directory;

/// <summary>Anything that can be a group member or owner: Graph's directoryObject.</summary>
public abstract class DirectoryObject
{
    // Kept in step by DirectoryGroup, so memberOf and licence inheritance cost a list walk, not a scan of every group.
    private List<DirectoryGroup>? _memberOf;

    protected DirectoryObject(string id) => Id = id;

    public string Id { get; }

    /// <summary>Graph's type name, as sent in @odata.type (for example #microsoft.graph.user).</summary>
    public abstract string ODataType { get; }

    /// <summary>The groups this object is a direct member of, in the order it joined them.</summary>
    public IReadOnlyList<DirectoryGroup> MemberOf => _memberOf ?? (IReadOnlyList<DirectoryGroup>)[];

    /// <summary>Every group this object belongs to directly or through nesting, each once, nearest first.</summary>
    public IReadOnlyList<DirectoryGroup> TransitiveMemberOf()
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new List<DirectoryGroup>();
        var pending = new Queue<DirectoryObject>();
        pending.Enqueue(this);
        while (pending.Count > 0)
        {
            foreach (DirectoryGroup group in pending.Dequeue().MemberOf)
            {
                if (seen.Add(group.Id))
                {
                    result.Add(group);
                    pending.Enqueue(group);
                }
            }
        }

        return result;
    }

    internal void Joined(DirectoryGroup group) => (_memberOf ??= []).Add(group);

    internal void Left(DirectoryGroup group) => _memberOf?.Remove(group);
}
