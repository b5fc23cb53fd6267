namespace IsmsOps.Engine.Assessment.Resources;

/// <summary>
/// A resource a control evaluates: one typed, read-only view of a person, account, group, role assignment and so on,
/// built once per run from the directory snapshot, the register and the role catalog. Each field a condition can name
/// is a property carrying <see cref="PolicyFieldAttribute"/>; <see cref="PolicyResourceCatalog"/> turns them into
/// compiled getters once per process.
/// </summary>
public abstract class PolicyResource
{
    /// <summary>The resource's stable id.</summary>
    [PolicyField("id", "The resource's stable id (directory object id, person id, case id, campaign id; 'tenant' and 'audit-trail' for the single ones).", "built")]
    public string Id { get; internal set; } = string.Empty;

    /// <summary>A readable name for reports.</summary>
    [PolicyField("name", "A readable name for reports (user principal name, display name, person id).", "built")]
    public string? Name { get; internal set; }
}

/// <summary>Names a resource type and says what it is, for <see cref="PolicyResourceCatalog"/> and the language reference.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class PolicyResourceAttribute(string typeName, string description) : Attribute
{
    /// <summary>The name controls use in <c>resource:</c>.</summary>
    public string TypeName { get; } = typeName;

    /// <summary>What one resource of the type is.</summary>
    public string Description { get; } = description;

    /// <summary>Evidence every control on this type needs (see <see cref="EvidenceKinds"/>).</summary>
    public string[] Evidence { get; init; } = [];
}

/// <summary>Marks a property as a field conditions can read, with its name in the policy language and its meaning.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = true)]
public sealed class PolicyFieldAttribute(string name, string description, string source) : Attribute
{
    /// <summary>The field's name in conditions (camelCase).</summary>
    public string Name { get; } = name;

    /// <summary>What the field means.</summary>
    public string Description { get; } = description;

    /// <summary>Where the value comes from (snapshot, register, role catalog, computed).</summary>
    public string Source { get; } = source;

    /// <summary>For a navigation: the field on the other side that points back, kept consistent when fixtures set one side.</summary>
    public string? Inverse { get; init; }
}
