using System.Collections;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace IsmsOps.Engine.Snapshots;

/// <summary>
/// The content JSON of a snapshot file: camelCase names, enums as strings, null properties and empty lists left out,
/// and properties in declaration order (the order reflection gives, which the compiler fixes), so the same snapshot
/// always serialises to the same bytes and therefore the same digest.
/// </summary>
/// <remarks>
/// Not the System.Text.Json source generator: for init-only properties it passes every property the JSON lacks to the
/// object initializer as null, which overwrites the model's <c>= []</c> defaults; the reflection resolver leaves them.
/// </remarks>
internal static class SnapshotJson
{
    /// <summary>Options for writing. Shared: they hold no state.</summary>
    public static JsonSerializerOptions WriteOptions { get; } = Create(pool: null);

    /// <summary>Options for one read: the string pool lives as long as the snapshot being read.</summary>
    public static JsonSerializerOptions ReadOptions(Utf8StringPool pool) => Create(pool);

    public static JsonTypeInfo<DirectorySnapshot> SnapshotType(JsonSerializerOptions options) =>
        (JsonTypeInfo<DirectorySnapshot>)options.GetTypeInfo(typeof(DirectorySnapshot));

    private static JsonSerializerOptions Create(Utf8StringPool? pool)
    {
        var options = new JsonSerializerOptions
        {
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { LeaveOutComputedAndEmpty } },
            // A file, never embedded in HTML: names with apostrophes and non-ASCII letters stay readable (and smaller).
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        if (pool is not null)
        {
            options.Converters.Add(new PooledStringConverter(pool));
        }

        options.Converters.Add(new DirectoryObjectRefListConverter(pool));

        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly();
        return options;
    }

    private static void LeaveOutComputedAndEmpty(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        for (int i = type.Properties.Count - 1; i >= 0; i--)
        {
            JsonPropertyInfo property = type.Properties[i];
            // Derived properties (SnapshotGroup.Kinds, SnapshotSignInActivity.Latest) have no setter: they are not data.
            if (property.Set is null && property.AssociatedParameter is null)
            {
                type.Properties.RemoveAt(i);
                continue;
            }

            if (typeof(IEnumerable).IsAssignableFrom(property.PropertyType) && property.PropertyType != typeof(string))
            {
                // Every list defaults to empty on read, so an empty one need not be written.
                property.ShouldSerialize = static (_, value) => value is not ICollection { Count: 0 };
            }
        }
    }
}

/// <summary>Reads every short string through a <see cref="Utf8StringPool"/>, so repeated ids share one instance.</summary>
internal sealed class PooledStringConverter(Utf8StringPool pool) : JsonConverter<string>
{
    public override bool HandleNull => false;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string, found {reader.TokenType}.");
        }

        return pool.Intern(ref reader);
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>
/// A group's members or owners: <c>[{"id":"…","kind":"User"}, …]</c>, the bulk of a large snapshot (two million
/// memberships in the campaign benchmark's). The serializer's own path instantiates its generic collection and object
/// code over this struct, which no precompiled code covers: it ran unoptimised, then instrumented, for most of a read.
/// This loop is compiled optimised at once, and writes the bytes the serializer wrote, so digests do not change.
/// </summary>
internal sealed class DirectoryObjectRefListConverter(Utf8StringPool? pool) : JsonConverter<IReadOnlyList<DirectoryObjectRef>>
{
    private static readonly string[] KindNames = Enum.GetNames<DirectoryObjectKind>();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override IReadOnlyList<DirectoryObjectRef> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"Expected an array of directory object references, found {reader.TokenType}.");
        }

        var list = new List<DirectoryObjectRef>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException($"Expected a directory object reference ({{\"id\": …, \"kind\": …}}), found {reader.TokenType}.");
            }

            string? id = null;
            DirectoryObjectKind? kind = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    id = reader.TokenType == JsonTokenType.String ? ReadString(ref reader) : throw new JsonException($"Expected a string for id, found {reader.TokenType}.");
                }
                else if (reader.ValueTextEquals("kind"u8))
                {
                    reader.Read();
                    kind = ReadKind(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            list.Add(new DirectoryObjectRef(id ?? throw new JsonException("A directory object reference has no id."),
                kind ?? throw new JsonException("A directory object reference has no kind.")));
        }

        return list;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<DirectoryObjectRef> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (DirectoryObjectRef item in value)
        {
            writer.WriteStartObject();
            writer.WriteString("id"u8, item.Id);
            writer.WriteString("kind"u8, item.Kind.ToString());
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    // Through the pool as PooledStringConverter reads strings, so a member's id is the user's own id instance.
    private string ReadString(ref Utf8JsonReader reader) => pool is null ? reader.GetString()! : pool.Intern(ref reader);

    // As the serializer's enum converter reads it: the name in any case, or the number of a defined value.
    private static DirectoryObjectKind ReadKind(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            for (int i = 0; i < KindNames.Length; i++)
            {
                if (reader.ValueTextEquals(KindNames[i]))
                {
                    return (DirectoryObjectKind)i;
                }
            }

            if (Enum.TryParse(reader.GetString(), ignoreCase: true, out DirectoryObjectKind named) && Enum.IsDefined(named))
            {
                return named;
            }
        }
        else if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int number) && Enum.IsDefined((DirectoryObjectKind)number))
        {
            return (DirectoryObjectKind)number;
        }

        throw new JsonException($"A directory object reference has an unknown kind; expected one of {string.Join(", ", KindNames)}.");
    }
}
