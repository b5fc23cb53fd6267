using System.Globalization;
using System.Text.Json;

namespace IsmsOps.Engine.Audit;

/// <summary>
/// One entry of the tamper-evident audit trail. <see cref="Hash"/> covers every other field, including
/// <see cref="PreviousHash"/>, so each event commits to the whole history before it (see docs/audit-trail.md).
/// </summary>
public sealed record AuditEvent
{
    /// <summary>1, 2, 3, ... with no gaps.</summary>
    public required long Sequence { get; init; }

    /// <summary>When the change was made, UTC.</summary>
    public required DateTime Time { get; init; }

    /// <summary>The operating-system account that ran the change (<c>DOMAIN\user</c> or <c>user@host</c>).</summary>
    public required string Actor { get; init; }

    /// <summary>The directory identity IsmsOps was connected as, when there was one.</summary>
    public string? Identity { get; init; }

    /// <summary>What happened, as <c>Area.Verb</c>: <c>Person.Created</c>, <c>Person.Updated</c>.</summary>
    public required string Action { get; init; }

    /// <summary>What it happened to, as <c>kind:id</c>: <c>person:E1001</c>.</summary>
    public required string Target { get; init; }

    /// <summary>Ties together the events of one operation (one cmdlet run, one HR event).</summary>
    public required string CorrelationId { get; init; }

    /// <summary>A JSON object with the specifics (for an update, each changed field's old and new value).</summary>
    public required string Details { get; init; }

    /// <summary>Hash of the event before (64 zeros for the first event).</summary>
    public required string PreviousHash { get; init; }

    /// <summary>SHA-256 of this event's canonical form, lower-case hex.</summary>
    public required string Hash { get; init; }

    /// <summary>The fixed textual form of <see cref="Time"/> that is stored and hashed.</summary>
    public string TimeText => FormatTime(Time);

    // The stored form is yyyy-MM-ddTHH:mm:ss.fffffffZ. The round-trip format "O" writes exactly that for a UTC time,
    // and is the runtime's fast path; verification formats the time of every event it hashes.
    internal static string FormatTime(DateTime utc) => utc.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    /// <summary><see cref="FormatTime"/> as UTF-8, into <paramref name="utf8"/>.</summary>
    internal static bool TryFormatTime(DateTime utc, Span<byte> utf8, out int written) =>
        utc.ToUniversalTime().TryFormat(utf8, out written, "O", CultureInfo.InvariantCulture);

    internal static DateTime ParseTime(string text) =>
        DateTime.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    /// <summary>
    /// Writes the event with the field names of an Export-IsmsAuditTrail line. <paramref name="detailsAsText"/> writes
    /// <see cref="Details"/> as a JSON string (the exact hashed text, safe from re-indenting) instead of as the object itself.
    /// </summary>
    internal void WriteJson(Utf8JsonWriter writer, bool detailsAsText)
    {
        writer.WriteStartObject();
        writer.WriteNumber("seq", Sequence);
        writer.WriteString("time", TimeText);
        writer.WriteString("actor", Actor);
        writer.WriteString("identity", Identity);
        writer.WriteString("action", Action);
        writer.WriteString("target", Target);
        writer.WriteString("correlationId", CorrelationId);
        if (detailsAsText)
        {
            writer.WriteString("details", Details);
        }
        else
        {
            writer.WritePropertyName("details");
            writer.WriteRawValue(Details, skipInputValidation: false);
        }

        writer.WriteString("prevHash", PreviousHash);
        writer.WriteString("hash", Hash);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Reads what <see cref="WriteJson"/> wrote, with the same <paramref name="detailsAsText"/>. A missing or mistyped
    /// field throws KeyNotFoundException, InvalidOperationException or FormatException.
    /// </summary>
    internal static AuditEvent ReadJson(JsonElement e, bool detailsAsText) => new()
    {
        Sequence = e.GetProperty("seq").GetInt64(),
        Time = ParseTime(e.GetProperty("time").GetString()!),
        Actor = e.GetProperty("actor").GetString()!,
        Identity = e.GetProperty("identity").GetString(),
        Action = e.GetProperty("action").GetString()!,
        Target = e.GetProperty("target").GetString()!,
        CorrelationId = e.GetProperty("correlationId").GetString()!,
        Details = detailsAsText ? e.GetProperty("details").GetString()! : e.GetProperty("details").GetRawText(),
        PreviousHash = e.GetProperty("prevHash").GetString()!,
        Hash = e.GetProperty("hash").GetString()!,
    };
}

/// <summary>An audit event before it is sealed into the chain: what the caller knows.</summary>
/// <param name="Action">What happened, as <c>Area.Verb</c>.</param>
/// <param name="Target">What it happened to, as <c>kind:id</c>.</param>
/// <param name="Details">A JSON object built with <see cref="AuditDetails"/>, which keeps secrets out.</param>
public sealed record AuditEventDraft(string Action, string Target, string Details);

/// <summary>Who is acting and under which correlation id; one per cmdlet run or per HR event.</summary>
public sealed record OperationContext(string Actor, string? Identity, string CorrelationId)
{
    /// <summary>The current OS user, no directory identity, and a fresh correlation id.</summary>
    public static OperationContext ForCurrentUser(string? identity = null, string? correlationId = null)
    {
        string user = string.IsNullOrEmpty(Environment.UserDomainName) || Environment.UserDomainName == Environment.MachineName
            ? Environment.UserName + "@" + Environment.MachineName
            : Environment.UserDomainName + "\\" + Environment.UserName;
        return new OperationContext(user, identity, correlationId ?? Guid.NewGuid().ToString("D"));
    }
}
