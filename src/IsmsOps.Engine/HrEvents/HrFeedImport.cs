using System.Security.Cryptography;
using System.Text;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;

namespace IsmsOps.Engine.HrEvents;

/// <summary>What one import of an HR feed did.</summary>
public sealed record HrFeedImportSummary
{
    public required string Path { get; init; }

    public int Rows { get; init; }

    public int Joiners { get; init; }

    public int Movers { get; init; }

    public int Leavers { get; init; }

    /// <summary>Rows that matched the register, and events whose key had already been processed.</summary>
    public int Unchanged { get; init; }

    /// <summary>Rows not applied, each with its line number and why. The other rows were applied.</summary>
    public IReadOnlyList<HrFeedRowError> Errors { get; init; } = [];

    /// <summary>The outcome of every event raised, in file order.</summary>
    public IReadOnlyList<HrEventOutcome> Outcomes { get; init; } = [];

    /// <summary>True when the events were only planned (-WhatIf), not applied.</summary>
    public bool WhatIf { get; init; }

    /// <summary>
    /// The people whose events this import applied or found already processed (none with -WhatIf): what
    /// <c>Import-IsmsHrFeed ... | Invoke-IsmsLifecycle</c> binds to work on.
    /// </summary>
    public IReadOnlyList<string> PersonId => WhatIf ? [] : Outcomes.Where(o => o.Status != HrEventStatus.Refused).Select(o => o.PersonId).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
}

/// <summary>
/// Compares an HR export with the register and raises joiner, mover and leaver events through
/// <see cref="HrEventProcessor"/>. Each row raises at most one event, so a row is applied whole or not at all.
/// </summary>
/// <remarks>
/// A row whose PersonId is not registered raises a Joiner. A registered person whose end date in the row is at or
/// before today, and who is not already Leaving with that end date (or Left), raises a Leaver: leavers are found by
/// this window, whenever the import runs, never by an exact date. Otherwise a row whose mapped JobRole, Department or
/// ManagerId differ from the register raises a Mover. Keys are <c>feed-{kind}-</c> and a SHA-256 of the PersonId and the
/// row's mapped content (a leaver's: the PersonId and end date), so importing the same file again raises events that
/// are already processed, or none. Rows with a missing PersonId, a PersonId the file holds twice (every such row), a
/// bad date, an unknown role or bad encoding are reported with their line and skipped.
/// The events are applied <see cref="BatchSize"/> at a time, one store transaction per batch with a savepoint per
/// event (<see cref="HrEventProcessor.ProcessAsync(IReadOnlyList{HrEvent}, RoleCatalog, OperationContext, CancellationToken)"/>):
/// each row is still applied whole or not at all, and a refused row is still reported by its line.
/// </remarks>
public sealed class HrFeedImport(HrEventProcessor processor, PeopleRegister people, Func<DateTime>? clock = null)
{
    /// <summary>The most events one store transaction of an import applies.</summary>
    public const int BatchSize = 500;

    private readonly Func<DateTime> _clock = clock ?? (() => DateTime.UtcNow);

    /// <summary>Reads <paramref name="path"/> with <paramref name="mapping"/> and applies its events (or, with <paramref name="whatIf"/>, only plans them).</summary>
    public async Task<HrFeedImportSummary> ImportAsync(string path, HrFeedMapping mapping, RoleCatalog roles, bool whatIf, OperationContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        ArgumentNullException.ThrowIfNull(roles);
        (IReadOnlyList<string> header, IReadOnlyList<HrFeedRow> rows, IReadOnlyList<HrFeedRowError> readErrors) = HrFeedReader.Read(path);
        bool json = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        if (!json)
        {
            string[] missing = mapping.Columns.Select(c => c.Value).Where(c => !header.Contains(c, StringComparer.OrdinalIgnoreCase)).ToArray();
            if (missing.Length > 0)
            {
                throw new IsmsException("IsmsOps.HrFeed.MissingColumn", IsmsErrorKind.InvalidData,
                    $"{path}:1: the header has no column {string.Join(", ", missing.Select(m => $"'{m}'"))}, which the mapping names. Nothing was imported.",
                    $"Fix the mapping file or the export; the header has: {string.Join(", ", header)}.", path);
            }
        }

        var errors = new List<HrFeedRowError>(readErrors);
        var mapped = new List<(long Line, Dictionary<string, string?> Fields)>();
        foreach (HrFeedRow row in rows)
        {
            mapped.Add((row.Line, mapping.Columns.ToDictionary(c => c.Key, c => row.Cells.GetValueOrDefault(c.Value)?.Trim(), StringComparer.OrdinalIgnoreCase)));
        }

        HashSet<string> duplicates = mapped.Select(m => m.Fields[nameof(HrEvent.PersonId)]).Where(id => !string.IsNullOrEmpty(id))
            .GroupBy(id => id!, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Dictionary<string, Person> register = (await people.FindAsync(new PersonQuery(), cancellationToken).ConfigureAwait(false))
            .ToDictionary(p => p.PersonId, StringComparer.OrdinalIgnoreCase);
        DateTime today = _clock().Date;

        var planned = new List<(long Line, HrEvent Event)>();
        int unchanged = 0;
        foreach ((long line, Dictionary<string, string?> fields) in mapped)
        {
            string? personId = fields[nameof(HrEvent.PersonId)];
            if (personId is not null && duplicates.Contains(personId))
            {
                errors.Add(new(line, personId, "IsmsOps.HrFeed.DuplicatePersonId", $"{path}:{line}: PersonId '{personId}' appears on more than one row; none of them is applied."));
                continue;
            }

            HrEvent? e;
            try
            {
                e = Plan(fields, register.GetValueOrDefault(personId ?? string.Empty), mapping, roles, today);
            }
            catch (IsmsException ex)
            {
                errors.Add(new(line, personId, ex.ErrorId, $"{path}:{line}: {ex.Message.Replace(" Nothing was changed.", string.Empty, StringComparison.Ordinal)}"));
                continue;
            }

            if (e is null)
            {
                unchanged++;
                continue;
            }

            planned.Add((line, e));
        }

        // Applied in batches of BatchSize events, one store transaction each, every event in its own savepoint
        // (HrEventProcessor): a durable commit per row made a first import of 50,000 people take minutes.
        var outcomes = new List<HrEventOutcome>(planned.Count);
        for (int start = 0; start < planned.Count; start += BatchSize)
        {
            List<HrEvent> batch = planned.Skip(start).Take(BatchSize).Select(p => p.Event).ToList();
            outcomes.AddRange(whatIf
                ? batch.Select(e => new HrEventOutcome { IdempotencyKey = e.IdempotencyKey, Kind = e.Kind, PersonId = e.PersonId, Status = HrEventStatus.Applied, Reason = "WhatIf: not applied." })
                : await processor.ProcessAsync(batch, roles, context, cancellationToken).ConfigureAwait(false));
        }

        for (int i = 0; i < planned.Count; i++)
        {
            HrEventOutcome outcome = outcomes[i];
            if (outcome.Status == HrEventStatus.Refused)
            {
                errors.Add(new(planned[i].Line, planned[i].Event.PersonId, outcome.ErrorId!, $"{path}:{planned[i].Line}: {outcome.Reason}"));
            }
            else if (outcome.Status == HrEventStatus.AlreadyProcessed)
            {
                unchanged++;
            }
        }

        int Count(HrEventKind kind) => outcomes.Count(o => o.Kind == kind && o.Status == HrEventStatus.Applied);
        return new HrFeedImportSummary
        {
            Path = path,
            Rows = rows.Count + readErrors.Count,
            Joiners = Count(HrEventKind.Joiner),
            Movers = Count(HrEventKind.Mover),
            Leavers = Count(HrEventKind.Leaver),
            Unchanged = unchanged,
            Errors = errors.OrderBy(x => x.Line).ToList(),
            Outcomes = outcomes,
            WhatIf = whatIf,
        };
    }

    private static HrEvent? Plan(Dictionary<string, string?> fields, Person? current, HrFeedMapping mapping, RoleCatalog roles, DateTime today)
    {
        var withKey = new Dictionary<string, string?>(fields, StringComparer.OrdinalIgnoreCase)
        {
            [nameof(HrEvent.IdempotencyKey)] = "pending",
            [nameof(HrEvent.Kind)] = nameof(HrEventKind.Joiner),
        };
        HrEvent row = HrEvent.FromFields(withKey, mapping.DateFormat);
        string? roleId = row.JobRole is null ? null : roles.ResolveJobRole(row.JobRole).Id;
        if (current is null)
        {
            return row with { Kind = HrEventKind.Joiner, IdempotencyKey = Key("joiner", row.PersonId, Content(fields)) };
        }

        if (row.EndDate is DateTime end && end <= today && current.Status != PersonStatus.Left
            && !(current.Status == PersonStatus.Leaving && current.EndDate == end))
        {
            return new HrEvent { Kind = HrEventKind.Leaver, PersonId = current.PersonId, EndDate = end, IdempotencyKey = Key("leaver", current.PersonId, end.ToString("yyyy-MM-dd")) };
        }

        bool moved = (roleId is not null && !string.Equals(roleId, current.JobRole, StringComparison.OrdinalIgnoreCase))
            || (row.Department is not null && !string.Equals(row.Department, current.Department, StringComparison.Ordinal))
            || (row.ManagerId is not null && !string.Equals(row.ManagerId, current.ManagerId, StringComparison.OrdinalIgnoreCase));
        return moved && current.Status is not (PersonStatus.Left or PersonStatus.Leaving)
            ? new HrEvent
            {
                Kind = HrEventKind.Mover,
                PersonId = current.PersonId,
                JobRole = roleId,
                Department = row.Department,
                ManagerId = row.ManagerId,
                IdempotencyKey = Key("mover", current.PersonId, Content(fields)),
            }
            : null;
    }

    private static string Content(Dictionary<string, string?> fields) =>
        string.Join("|", fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value?.Length ?? -1}:{f.Value}"));

    private static string Key(string kind, string personId, string content) =>
        $"feed-{kind}-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(personId.Trim().ToUpperInvariant() + "\n" + content))).ToLowerInvariant()[..32];
}
