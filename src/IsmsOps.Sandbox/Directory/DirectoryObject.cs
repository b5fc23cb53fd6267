namespace IsmsOps.Sandbox.Directory;

/// <summary>Anything that can be a group member or owner: Graph's directoryObject.</summary>
public abstract class DirectoryObject
{
    protected DirectoryObject(string id) => Id = id;

    public string Id { get; }

    /// <summary>Graph's type name, as sent in @odata.type (for example #microsoft.graph.user).</summary>
    public abstract string ODataType { get; }
}
