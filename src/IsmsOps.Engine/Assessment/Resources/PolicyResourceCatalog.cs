using System.Linq.Expressions;
using System.Reflection;

namespace IsmsOps.Engine.Assessment.Resources;

/// <summary>What kind of value a field holds, which decides the operators a condition may apply to it.</summary>
public enum PolicyFieldKind
{
    String,
    Boolean,
    Number,
    DateTime,
    StringList,
    Reference,
    ReferenceList,
}

/// <summary>One field of a resource type: its name, kind, meaning, and a getter compiled once per process.</summary>
public sealed class PolicyFieldInfo
{
    internal PolicyFieldInfo(PolicyFieldAttribute attribute, PropertyInfo property, PolicyFieldKind kind, Type? targetClrType)
    {
        Name = attribute.Name;
        Description = attribute.Description;
        Source = attribute.Source;
        Inverse = attribute.Inverse;
        Kind = kind;
        Property = property;
        TargetClrType = targetClrType;
    }

    public string Name { get; }

    public PolicyFieldKind Kind { get; }

    public string Description { get; }

    public string Source { get; }

    /// <summary>For a navigation, the field on the target type that points back.</summary>
    public string? Inverse { get; }

    /// <summary>For a navigation, the target resource type's name.</summary>
    public string? TargetType { get; internal set; }

    internal PropertyInfo Property { get; }

    internal Type? TargetClrType { get; }

    internal Func<PolicyResource, string?>? GetString { get; set; }

    internal Func<PolicyResource, bool>? GetBoolean { get; set; }

    internal Func<PolicyResource, double>? GetNumber { get; set; }

    internal Func<PolicyResource, DateTimeOffset?>? GetDate { get; set; }

    internal Func<PolicyResource, IReadOnlyList<string>>? GetStrings { get; set; }

    internal Func<PolicyResource, PolicyResource?>? GetReference { get; set; }

    internal Func<PolicyResource, IReadOnlyList<PolicyResource>>? GetReferences { get; set; }

    /// <summary>The kind as the language reference names it.</summary>
    public string KindName => Kind switch
    {
        PolicyFieldKind.String => "string",
        PolicyFieldKind.Boolean => "boolean",
        PolicyFieldKind.Number => "number",
        PolicyFieldKind.DateTime => "date-time",
        PolicyFieldKind.StringList => "list of string",
        PolicyFieldKind.Reference => TargetType!,
        _ => $"list of {TargetType}",
    };
}

/// <summary>One resource type: its name, meaning, implied evidence and fields.</summary>
public sealed class PolicyResourceType
{
    internal PolicyResourceType(PolicyResourceAttribute attribute, Type clrType, IReadOnlyList<PolicyFieldInfo> fields)
    {
        Name = attribute.TypeName;
        Description = attribute.Description;
        Evidence = attribute.Evidence;
        ClrType = clrType;
        Fields = fields;
        FieldsByName = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }

    public string Name { get; }

    public string Description { get; }

    /// <summary>Evidence every control on this type needs.</summary>
    public IReadOnlyList<string> Evidence { get; }

    public Type ClrType { get; }

    /// <summary>Fields in declaration order (id and name first).</summary>
    public IReadOnlyList<PolicyFieldInfo> Fields { get; }

    public IReadOnlyDictionary<string, PolicyFieldInfo> FieldsByName { get; }

    /// <summary>True for the types with exactly one resource per run (tenant, register, auditTrail).</summary>
    public bool IsSingle => Name is "tenant" or "register" or "auditTrail";

    internal PolicyResource Create() => (PolicyResource)Activator.CreateInstance(ClrType, nonPublic: true)!;
}

/// <summary>
/// Every resource type of the policy language, read once from the <see cref="PolicyResourceAttribute"/> classes, with
/// field getters compiled to delegates so a condition reads a field with one call, never by reflection.
/// </summary>
public static class PolicyResourceCatalog
{
    private static readonly Lazy<IReadOnlyDictionary<string, PolicyResourceType>> s_types = new(Build);

    /// <summary>The types by name, in declaration order.</summary>
    public static IReadOnlyList<PolicyResourceType> Types => s_types.Value.Values.ToArray();

    /// <summary>The type named <paramref name="name"/>, or null.</summary>
    public static PolicyResourceType? Find(string? name) => name is not null && s_types.Value.TryGetValue(name, out PolicyResourceType? type) ? type : null;

    /// <summary>The type of a resource class.</summary>
    public static PolicyResourceType Of(Type clrType) => s_types.Value.Values.First(t => t.ClrType == clrType);

    /// <summary>The type names, for messages.</summary>
    public static IReadOnlyList<string> Names => s_types.Value.Keys.ToArray();

    private static IReadOnlyDictionary<string, PolicyResourceType> Build()
    {
        var types = new Dictionary<string, PolicyResourceType>(StringComparer.Ordinal);
        IEnumerable<Type> classes = typeof(PolicyResource).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(PolicyResource)) && !t.IsAbstract && t.GetCustomAttribute<PolicyResourceAttribute>() is not null)
            .OrderBy(t => t.MetadataToken);
        foreach (Type type in classes)
        {
            var attribute = type.GetCustomAttribute<PolicyResourceAttribute>()!;
            IEnumerable<PropertyInfo> properties = typeof(PolicyResource).GetProperties()
                .Concat(type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly));
            var fields = new List<PolicyFieldInfo>();
            foreach (PropertyInfo property in properties)
            {
                if (property.GetCustomAttribute<PolicyFieldAttribute>() is PolicyFieldAttribute field)
                {
                    fields.Add(Field(field, property, type));
                }
            }

            types.Add(attribute.TypeName, new PolicyResourceType(attribute, type, fields));
        }

        foreach (PolicyFieldInfo field in types.Values.SelectMany(t => t.Fields).Where(f => f.TargetClrType is not null))
        {
            field.TargetType = types.Values.First(t => t.ClrType == field.TargetClrType).Name;
        }

        return types;
    }

    private static PolicyFieldInfo Field(PolicyFieldAttribute attribute, PropertyInfo property, Type owner)
    {
        ParameterExpression resource = Expression.Parameter(typeof(PolicyResource), "r");
        Expression value = Expression.Property(Expression.Convert(resource, owner), property);
        Type t = property.PropertyType;
        Func<PolicyResource, T> Getter<T>(Expression body) => Expression.Lambda<Func<PolicyResource, T>>(body, resource).Compile();

        if (t == typeof(string))
        {
            return new PolicyFieldInfo(attribute, property, PolicyFieldKind.String, null) { GetString = Getter<string?>(value) };
        }

        if (t == typeof(bool))
        {
            return new PolicyFieldInfo(attribute, property, PolicyFieldKind.Boolean, null) { GetBoolean = Getter<bool>(value) };
        }

        if (t == typeof(int) || t == typeof(long) || t == typeof(double))
        {
            return new PolicyFieldInfo(attribute, property, PolicyFieldKind.Number, null) { GetNumber = Getter<double>(Expression.Convert(value, typeof(double))) };
        }

        if (t == typeof(DateTimeOffset?))
        {
            return new PolicyFieldInfo(attribute, property, PolicyFieldKind.DateTime, null) { GetDate = Getter<DateTimeOffset?>(value) };
        }

        if (t == typeof(IReadOnlyList<string>))
        {
            return new PolicyFieldInfo(attribute, property, PolicyFieldKind.StringList, null) { GetStrings = Getter<IReadOnlyList<string>>(value) };
        }

        if (t.IsSubclassOf(typeof(PolicyResource)))
        {
            return new PolicyFieldInfo(attribute, property, PolicyFieldKind.Reference, t) { GetReference = Getter<PolicyResource?>(value) };
        }

        if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) && t.GetGenericArguments()[0].IsSubclassOf(typeof(PolicyResource)))
        {
            return new PolicyFieldInfo(attribute, property, PolicyFieldKind.ReferenceList, t.GetGenericArguments()[0])
            {
                GetReferences = Getter<IReadOnlyList<PolicyResource>>(Expression.Convert(value, typeof(IReadOnlyList<PolicyResource>))),
            };
        }

        throw new InvalidOperationException($"{owner.Name}.{property.Name} has type {t.Name}, which the policy language has no kind for.");
    }
}
