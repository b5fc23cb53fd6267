using IsmsOps.Engine.People;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.Access;

/// <summary>Why an enabled account has no active person behind it.</summary>
public enum OrphanReason
{
    /// <summary>No person in the register is linked to the account, by object id or by user principal name.</summary>
    NoPerson,

    /// <summary>The linked person has Left.</summary>
    PersonLeft,

    /// <summary>The linked person is Leaving and their end date has passed.</summary>
    PastEndDate,
}

/// <summary>One enabled member account that the exit review found without an active person.</summary>
public sealed record OrphanedAccount
{
    public required string UserId { get; init; }

    public required string UserPrincipalName { get; init; }

    public string? DisplayName { get; init; }

    /// <summary>The account's employeeId in the directory, which often names the HR record it came from.</summary>
    public string? EmployeeId { get; init; }

    public required OrphanReason Reason { get; init; }

    /// <summary>The register's person the account is linked to, when there is one (Left, or Leaving past the end date).</summary>
    public string? PersonId { get; init; }

    public PersonStatus? PersonStatus { get; init; }

    public DateTime? EndDate { get; init; }

    /// <summary>The last interactive sign-in, when the directory recorded it.</summary>
    public DateTimeOffset? LastSignInDateTime { get; init; }

    /// <summary>The account was created on this date (useful for telling a forgotten test account from a leaver).</summary>
    public DateTimeOffset? CreatedDateTime { get; init; }

    /// <summary>The SHA-256 of the snapshot the account was read from; null when read live.</summary>
    public string? SnapshotSha256 { get; init; }
}

/// <summary>
/// The exit review: enabled member accounts in the directory that have no active person in the register.
/// </summary>
/// <remarks>
/// A person is active until they have Left, or until the day after their end date while Leaving: an account that is
/// still enabled after that was missed by offboarding. Candidates and people Onboarding count as active, since an
/// account made ahead of a start date is expected. Guests are not reviewed here: they have no HR record by design.
/// An account is linked to a person by DirectoryObjectId first, then by user principal name (case-insensitive); when
/// several people match, the account is kept if any of them is active.
/// </remarks>
public static class OrphanedAccountReview
{
    /// <summary>Lists, in user principal name order, the enabled member accounts of <paramref name="users"/> with no active person in <paramref name="people"/>.</summary>
    /// <param name="users">The directory's users.</param>
    /// <param name="people">Everyone in the register, whatever their status.</param>
    /// <param name="today">The review date (UTC calendar date); an end date before it has passed.</param>
    /// <param name="snapshotSha256">The snapshot's digest, stamped on each result for evidence.</param>
    public static IReadOnlyList<OrphanedAccount> Find(IEnumerable<SnapshotUser> users, IEnumerable<Person> people, DateTime today, string? snapshotSha256 = null)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(people);
        var byObjectId = new Dictionary<string, List<Person>>(StringComparer.OrdinalIgnoreCase);
        var byUpn = new Dictionary<string, List<Person>>(StringComparer.OrdinalIgnoreCase);
        foreach (Person person in people)
        {
            Add(byObjectId, person.DirectoryObjectId, person);
            Add(byUpn, person.UserPrincipalName, person);
        }

        var found = new List<OrphanedAccount>();
        foreach (SnapshotUser user in users)
        {
            if (!user.AccountEnabled || string.Equals(user.UserType, "Guest", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            List<Person> linked = [.. byObjectId.GetValueOrDefault(user.Id) ?? [], .. byUpn.GetValueOrDefault(user.UserPrincipalName) ?? []];
            if (linked.Any(p => IsActive(p, today)))
            {
                continue;
            }

            Person? last = linked.OrderByDescending(p => p.EndDate ?? DateTime.MaxValue).FirstOrDefault();
            found.Add(new OrphanedAccount
            {
                UserId = user.Id,
                UserPrincipalName = user.UserPrincipalName,
                DisplayName = user.DisplayName,
                EmployeeId = user.EmployeeId,
                Reason = last is null ? OrphanReason.NoPerson : last.Status == People.PersonStatus.Left ? OrphanReason.PersonLeft : OrphanReason.PastEndDate,
                PersonId = last?.PersonId,
                PersonStatus = last?.Status,
                EndDate = last?.EndDate,
                LastSignInDateTime = user.SignInActivity?.LastSignInDateTime,
                CreatedDateTime = user.CreatedDateTime,
                SnapshotSha256 = snapshotSha256,
            });
        }

        return found.OrderBy(a => a.UserPrincipalName, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>Every user <paramref name="source"/> holds: the whole snapshot, or one paged read of /users when live.</summary>
    public static async Task<IReadOnlyList<SnapshotUser>> ListUsersAsync(IDirectorySource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source switch
        {
            SnapshotDirectorySource snapshot => snapshot.Loaded.Snapshot.Users,
            Graph.Collection.LiveDirectorySource live => await live.ListUsersAsync(cancellationToken).ConfigureAwait(false),
            _ => throw new NotSupportedException($"Listing every user is not supported for {source.Description}."),
        };
    }

    /// <summary>Whether <paramref name="person"/> still justifies an enabled account on <paramref name="today"/>.</summary>
    public static bool IsActive(Person person, DateTime today)
    {
        ArgumentNullException.ThrowIfNull(person);
        return person.Status switch
        {
            People.PersonStatus.Left => false,
            People.PersonStatus.Leaving => person.EndDate is not DateTime end || end.Date >= today.Date,
            _ => true,
        };
    }

    private static void Add(Dictionary<string, List<Person>> index, string? key, Person person)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            return;
        }

        if (!index.TryGetValue(key, out List<Person>? list))
        {
            index[key] = list = [];
        }

        list.Add(person);
    }
}
