using System.Globalization;
using System.Text.Json;

namespace IsmsOps.Engine.Audit;

/// <summary>
/// Builds the JSON details of an audit event. Values under names that look like secrets (password, secret, token,
/// credential, private key) are written as "[redacted]" whatever the caller passes, so a careless caller cannot put a
/// secret into the trail.
/// </summary>
public sealed class AuditDetails
{
    private static readonly string[] SecretMarkers =
        ["password", "passwd", "secret", "token", "credential", "privatekey", "apikey", "certificate", "assertion"];

    private readonly SortedDictionary<string, object?> _values = new(StringComparer.Ordinal);

    public AuditDetails Add(string name, object? value)
    {
        _values[name] = value;
        return this;
    }

    /// <summary>Records a field change: <c>{"field": {"from": old, "to": new}}</c> under "changes".</summary>
    public AuditDetails AddChange(string field, object? from, object? to)
    {
        if (!_values.TryGetValue("changes", out object? existing) || existing is not SortedDictionary<string, object?> changes)
        {
            changes = new SortedDictionary<string, object?>(StringComparer.Ordinal);
            _values["changes"] = changes;
        }

        changes[field] = new SortedDictionary<string, object?>(StringComparer.Ordinal) { ["from"] = from, ["to"] = to };
        return this;
    }

    /// <summary>True when a field of this name would be redacted.</summary>
    public static bool IsSecretName(string name)
    {
        string folded = name.Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal);
        return SecretMarkers.Any(marker => folded.Contains(marker, StringComparison.OrdinalIgnoreCase));
    }

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            WriteObject(writer, _values);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public override string ToString() => ToJson();

    private static void WriteObject(Utf8JsonWriter writer, IDictionary<string, object?> values)
    {
        writer.WriteStartObject();
        foreach ((string name, object? value) in values)
        {
            writer.WritePropertyName(name);
            if (IsSecretName(name) && value is not null)
            {
                writer.WriteStringValue("[redacted]");
                continue;
            }

            WriteValue(writer, value);
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int or long or short or byte:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case double or float or decimal:
                writer.WriteNumberValue(Convert.ToDecimal(value, CultureInfo.InvariantCulture));
                break;
            case DateTime d:
                writer.WriteStringValue(d.TimeOfDay == TimeSpan.Zero && d.Kind != DateTimeKind.Utc
                    ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                    : AuditEvent.FormatTime(d));
                break;
            case Enum e:
                writer.WriteStringValue(e.ToString());
                break;
            case IDictionary<string, object?> nested:
                WriteObject(writer, nested);
                break;
            case System.Collections.IEnumerable items:
                writer.WriteStartArray();
                foreach (object? item in items)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
