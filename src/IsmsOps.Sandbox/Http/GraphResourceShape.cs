using System.Globalization;
using System.Text.Json;

namespace IsmsOps.Sandbox.Http;

/// <summary>What the listing and entity writers need from a resource type, whether it has one shape or several.</summary>
internal interface IGraphShape<T>
{
    /// <summary>Graph's internal type name, which its "could not find a property" errors mention.</summary>
    string GraphTypeName { get; }

    /// <summary>The canonical spelling of a property, or null when the type has no such property.</summary>
    string? Resolve(string name);

    /// <summary>The @odata.type of one item, e.g. #microsoft.graph.user.</summary>
    string ODataTypeOf(T item);

    void Write(Utf8JsonWriter writer, T item, IReadOnlyList<string>? selection);

    /// <summary>Reads a property for $filter, or null when the property cannot be filtered on.</summary>
    FilterProperty<T>? FilterValue(string name);
}

/// <summary>A property $filter may test: how to read it, and whether it holds booleans (otherwise strings).</summary>
internal sealed record FilterProperty<T>(Func<T, object?> Read, bool IsBoolean);

/// <summary>
/// The Graph v1.0 properties the sandbox serves for one resource type, under Graph's exact names, and which of them
/// Graph returns when the caller sends no $select. Every payload is written from these tables, which is what lets a
/// test hold the payloads to Graph's metadata.
/// </summary>
internal sealed class GraphResourceShape<T> : IGraphShape<T>
    where T : class
{
    private readonly Dictionary<string, (string Name, Action<Utf8JsonWriter, T> Write)> _properties = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, FilterProperty<T>> _filterable = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, FilterProperty<T>> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _names = [];
    private IReadOnlyList<string>? _defaults;

    internal GraphResourceShape(string odataType, string graphTypeName)
    {
        ODataType = odataType;
        GraphTypeName = graphTypeName;
    }

    public string ODataType { get; }
    public string GraphTypeName { get; }

    /// <summary>What Graph returns without $select; every property unless the type names a smaller set.</summary>
    public IReadOnlyList<string> DefaultProperties => _defaults ?? _names;

    public IEnumerable<string> PropertyNames => _names;

    public string? Resolve(string name) => _properties.TryGetValue(name, out var property) ? property.Name : null;

    public string ODataTypeOf(T item) => ODataType;

    public FilterProperty<T>? FilterValue(string name) => _filterable.GetValueOrDefault(name);

    public void Write(Utf8JsonWriter writer, T item, IReadOnlyList<string>? selection)
    {
        foreach (string name in selection ?? DefaultProperties)
        {
            if (_properties.TryGetValue(name, out var property))
            {
                property.Write(writer, item);
            }
        }
    }

    internal GraphResourceShape<T> String(string name, Func<T, string?> value)
    {
        _values[name] = new FilterProperty<T>(value, IsBoolean: false);
        return Add(name, (w, item) => WriteString(w, name, value(item)));
    }

    internal GraphResourceShape<T> Boolean(string name, Func<T, bool?> value)
    {
        _values[name] = new FilterProperty<T>(item => value(item), IsBoolean: true);
        return Add(name, (w, item) =>
        {
            if (value(item) is bool b) { w.WriteBoolean(name, b); } else { w.WriteNull(name); }
        });
    }

    internal GraphResourceShape<T> Number(string name, Func<T, long?> value) =>
        Add(name, (w, item) =>
        {
            if (value(item) is long n) { w.WriteNumber(name, n); } else { w.WriteNull(name); }
        });

    internal GraphResourceShape<T> Instant(string name, Func<T, DateTimeOffset?> value) =>
        Add(name, (w, item) => WriteString(w, name, Format(value(item))));

    internal GraphResourceShape<T> Strings(string name, Func<T, IEnumerable<string>> values) =>
        Add(name, (w, item) =>
        {
            w.WriteStartArray(name);
            foreach (string value in values(item)) { w.WriteStringValue(value); }
            w.WriteEndArray();
        });

    /// <summary>A complex-typed property; <paramref name="writeValue"/> writes the value (object, array or null).</summary>
    internal GraphResourceShape<T> Complex(string name, Action<Utf8JsonWriter, T> writeValue) =>
        Add(name, (w, item) =>
        {
            w.WritePropertyName(name);
            writeValue(w, item);
        });

    internal GraphResourceShape<T> Add(string name, Action<Utf8JsonWriter, T> write)
    {
        _properties.Add(name, (name, write));
        // Kept alongside the dictionary so writing an item without $select (every item of a 100,000-user listing)
        // does not rebuild the default property list each time.
        _names.Add(name);
        return this;
    }

    internal GraphResourceShape<T> Defaults(params string[] names)
    {
        _defaults = names;
        return this;
    }

    /// <summary>The string and boolean properties $filter may test, as far as the sandbox's filter support goes.</summary>
    internal GraphResourceShape<T> Filterable(params string[] names)
    {
        foreach (string name in names)
        {
            _filterable.Add(name, _values[name]);
        }

        return this;
    }

    internal static string? Format(DateTimeOffset? instant) =>
        instant?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static void WriteString(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null) { writer.WriteNull(name); } else { writer.WriteString(name, value); }
    }
}

/// <summary>
/// A collection whose items are of several Graph types (a group's members are users, groups and devices): each item is
/// written with its own type's shape, and $select may name a property of any of them.
/// </summary>
internal sealed class PolymorphicShape<TBase> : IGraphShape<TBase>
    where TBase : class
{
    private readonly List<(Type Type, IGraphShape<TBase> Shape, Func<string, string?> Resolve)> _shapes = [];

    internal PolymorphicShape(string graphTypeName) => GraphTypeName = graphTypeName;

    public string GraphTypeName { get; }

    internal PolymorphicShape<TBase> Include<TDerived>(GraphResourceShape<TDerived> shape)
        where TDerived : class, TBase
    {
        _shapes.Add((typeof(TDerived), new Narrowed<TDerived>(shape), shape.Resolve));
        return this;
    }

    public string? Resolve(string name) => _shapes.Select(s => s.Resolve(name)).FirstOrDefault(n => n is not null);

    public string ODataTypeOf(TBase item) => ShapeOf(item).ODataTypeOf(item);

    public void Write(Utf8JsonWriter writer, TBase item, IReadOnlyList<string>? selection) => ShapeOf(item).Write(writer, item, selection);

    // Filtering a mixed collection would need Graph's type-cast segments; the sandbox does not go there.
    public FilterProperty<TBase>? FilterValue(string name) => null;

    private IGraphShape<TBase> ShapeOf(TBase item)
    {
        Type type = item.GetType();
        foreach (var entry in _shapes)
        {
            if (entry.Type == type)
            {
                return entry.Shape;
            }
        }

        throw new InvalidOperationException($"No Graph shape serves {type.Name}.");
    }

    private sealed class Narrowed<TDerived>(GraphResourceShape<TDerived> shape) : IGraphShape<TBase>
        where TDerived : class, TBase
    {
        public string GraphTypeName => shape.GraphTypeName;
        public string? Resolve(string name) => shape.Resolve(name);
        public string ODataTypeOf(TBase item) => shape.ODataType;
        public void Write(Utf8JsonWriter writer, TBase item, IReadOnlyList<string>? selection) => shape.Write(writer, (TDerived)item, selection);
        public FilterProperty<TBase>? FilterValue(string name) =>
            shape.FilterValue(name) is { } property ? new FilterProperty<TBase>(item => property.Read((TDerived)item), property.IsBoolean) : null;
    }
}
