using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IsmsOps.Engine.People;

namespace IsmsOps.Engine.HrEvents;

/// <summary>What happened to a person in HR.</summary>
public enum HrEventKind
{
    /// <summary>Someone new is hired; creates the person.</summary>
    Joiner,

    /// <summary>A person changes job role, department or manager.</summary>
    Mover,

    /// <summary>A person is leaving; sets Status Leaving and the end date.</summary>
    Leaver,
}

/// <summary>
/// One HR event, as a webhook or the HR feed delivers it. The same <see cref="IdempotencyKey"/> always means the same
/// event: delivered twice, it is processed once.
/// </summary>
/// <remarks>Fields left null say nothing: a mover with only JobRole set leaves the department alone.</remarks>
public sealed record HrEvent
{
    /// <summary>Chosen by the sender, unique per event (a webhook delivery id, or the feed's row hash).</summary>
    public required string IdempotencyKey { get; init; }

    public required HrEventKind Kind { get; init; }

    /// <summary>The HR employee id of the person the event is about.</summary>
    public required string PersonId { get; init; }

    public string? DisplayName { get; init; }

    public string? UserPrincipalName { get; init; }

    public string? Mail { get; init; }

    public string? Department { get; init; }

    /// <summary>A role id or title from the role catalog; anything else is refused.</summary>
    public string? JobRole { get; init; }

    /// <summary>The PersonId of the person's manager.</summary>
    public string? ManagerId { get; init; }

    public DateTime? StartDate { get; init; }

    public DateTime? EndDate { get; init; }

    public EmploymentType? EmploymentType { get; init; }

    /// <summary>Country of work, ISO 3166-1 alpha-2.</summary>
    public string? Location { get; init; }

    /// <summary>
    /// The SHA-256 of everything but the key, in a fixed form: two deliveries under one key are the same event exactly
    /// when their digests match. Case of text is kept (a renamed person is a different body); dates count as days.
    /// </summary>
    public string BodySha256()
    {
        var text = new StringBuilder();
        foreach (string? field in new[]
        {
            Kind.ToString(), PersonId.Trim(), DisplayName?.Trim(), UserPrincipalName?.Trim(), Mail?.Trim(), Department?.Trim(), JobRole?.Trim(),
            ManagerId?.Trim(), Day(StartDate), Day(EndDate), EmploymentType?.ToString(), Location?.Trim().ToUpperInvariant(),
        })
        {
            // Length-prefixed, so no field's content can pass for a boundary between two others.
            text.Append(field is null ? "-1:" : $"{field.Length}:{field}").Append('|');
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))).ToLowerInvariant();
    }

    private static string? Day(DateTime? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>
    /// Reads one event from a webhook body: a JSON object with the property names of this type (any case). Fails with
    /// <c>IsmsOps.HrEvent.InvalidJson</c>, naming the line and position, on anything else.
    /// </summary>
    public static HrEvent FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            HrEvent? parsed = JsonSerializer.Deserialize<HrEvent>(json, JsonOptions);
            return parsed ?? throw Invalid("the body is JSON null, not an event object");
        }
        catch (JsonException ex)
        {
            string where = ex.LineNumber is long line ? $" at line {line + 1}, position {ex.BytePositionInLine + 1}" : string.Empty;
            throw Invalid($"it is not a valid event{where}: {ex.Message.Split(" Path:")[0]}");
        }
    }

    /// <summary>The field names <see cref="FromFields"/> reads, in a fixed order.</summary>
    public static IReadOnlyList<string> FieldNames { get; } =
    [
        nameof(IdempotencyKey), nameof(Kind), nameof(PersonId), nameof(DisplayName), nameof(UserPrincipalName), nameof(Mail), nameof(Department),
        nameof(JobRole), nameof(ManagerId), nameof(StartDate), nameof(EndDate), nameof(EmploymentType), nameof(Location),
    ];

    /// <summary>
    /// Builds an event from named text fields (a piped object's properties, a mapped feed row). Names are matched
    /// case-insensitively, empty text counts as absent, dates are read as <paramref name="dateFormat"/> (ISO yyyy-MM-dd
    /// by default). Fails with <c>IsmsOps.HrEvent.InvalidField</c> naming the field and the value's problem.
    /// </summary>
    public static HrEvent FromFields(IReadOnlyDictionary<string, string?> fields, string dateFormat = "yyyy-MM-dd")
    {
        ArgumentNullException.ThrowIfNull(fields);
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach ((string name, string? value) in fields)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                byName[name] = value.Trim();
            }
        }

        string? Text(string name) => byName.GetValueOrDefault(name);
        string Required(string name) => Text(name) ?? throw InvalidField(name, "is missing or empty");
        DateTime? Date(string name) => Text(name) is not string v ? null
            : DateTime.TryParseExact(v, dateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTime d) ? d.Date
            : throw InvalidField(name, $"'{v}' is not a date in the format {dateFormat}");
        TEnum Enum<TEnum>(string name, string value) where TEnum : struct, System.Enum =>
            System.Enum.TryParse(value, ignoreCase: true, out TEnum parsed) && System.Enum.IsDefined(parsed) && !value.Any(char.IsDigit) ? parsed
            : throw InvalidField(name, $"'{value}' is not one of {string.Join(", ", System.Enum.GetNames<TEnum>())}");

        return new HrEvent
        {
            IdempotencyKey = Required(nameof(IdempotencyKey)),
            Kind = Enum<HrEventKind>(nameof(Kind), Required(nameof(Kind))),
            PersonId = Required(nameof(PersonId)),
            DisplayName = Text(nameof(DisplayName)),
            UserPrincipalName = Text(nameof(UserPrincipalName)),
            Mail = Text(nameof(Mail)),
            Department = Text(nameof(Department)),
            JobRole = Text(nameof(JobRole)),
            ManagerId = Text(nameof(ManagerId)),
            StartDate = Date(nameof(StartDate)),
            EndDate = Date(nameof(EndDate)),
            EmploymentType = Text(nameof(EmploymentType)) is string t ? Enum<EmploymentType>(nameof(EmploymentType), t) : null,
            Location = Text(nameof(Location)),
        };
    }

    private static IsmsException InvalidField(string field, string why) => new("IsmsOps.HrEvent.InvalidField", IsmsErrorKind.InvalidArgument,
        $"The HR event's {field} {why}. Nothing was changed.", $"Correct {field} and send the event again.", field);

    private static IsmsException Invalid(string why) => new("IsmsOps.HrEvent.InvalidJson", IsmsErrorKind.InvalidArgument,
        $"The HR event could not be read: {why}. Nothing was changed.",
        "Send one JSON object with IdempotencyKey, Kind (Joiner, Mover or Leaver) and PersonId, plus the fields of the change; dates as yyyy-MM-dd.");
}

/// <summary>How processing one HR event ended.</summary>
public enum HrEventStatus
{
    /// <summary>Processed now; the register and audit trail changed (or, for a change that was already true, only the event was recorded).</summary>
    Applied,

    /// <summary>This key was processed before with the same body; nothing was done this time.</summary>
    AlreadyProcessed,

    /// <summary>Not processed: see <see cref="HrEventOutcome.ErrorId"/> and <see cref="HrEventOutcome.Reason"/>. Nothing was changed.</summary>
    Refused,
}

/// <summary>The result of processing one HR event.</summary>
public sealed record HrEventOutcome
{
    public required string IdempotencyKey { get; init; }

    public required HrEventKind Kind { get; init; }

    public required string PersonId { get; init; }

    public required HrEventStatus Status { get; init; }

    /// <summary>The fields of the person that changed (empty unless Applied).</summary>
    public IReadOnlyList<People.FieldChange> Changes { get; init; } = [];

    /// <summary>When the key was first processed (for AlreadyProcessed: the earlier time).</summary>
    public DateTime? ProcessedAt { get; init; }

    /// <summary>The stable error id of a refusal, such as IsmsOps.HrEvent.KeyReused or IsmsOps.Role.NotFound.</summary>
    public string? ErrorId { get; init; }

    /// <summary>Why the event was refused or did nothing, in words.</summary>
    public string? Reason { get; init; }

    /// <summary>What to do about a refusal.</summary>
    public string? RecommendedAction { get; init; }
}

/// <summary>The stored record that an HR event was processed: its key, what it was about, and a digest of its body.</summary>
public sealed record ProcessedHrEvent(string IdempotencyKey, HrEventKind Kind, string PersonId, string BodySha256, DateTime ProcessedAt, string ProcessedBy);
