using System.Collections;
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

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string, found {reader.TokenType}.");
        }

        if (reader.HasValueSequence || reader.ValueIsEscaped)
        {
            return pool.Intern(reader.GetString()!);
        }

        return pool.Intern(reader.ValueSpan);
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
