using System.Globalization;
using System.Text.Json;

namespace IsmsOps.Engine.Snapshots;

/// <summary>How many of each thing a snapshot holds; written in the file header and checked against the content on read.</summary>
public sealed record SnapshotCounts
{
    public long Users { get; init; }

    public long Groups { get; init; }

    /// <summary>Direct group memberships: the sum of every group's members.</summary>
    public long GroupMemberships { get; init; }

    /// <summary>Group ownerships: the sum of every group's owners.</summary>
    public long GroupOwners { get; init; }

    public long RoleDefinitions { get; init; }

    public long RoleAssignments { get; init; }

    public long ServicePrincipals { get; init; }

    public long AppRoleAssignments { get; init; }

    public long DelegatedGrants { get; init; }

    public long Skus { get; init; }

    /// <summary>Licences on users, direct and inherited: the sum of every user's licences.</summary>
    public long LicenseAssignments { get; init; }

    public long AuthenticationRegistrations { get; init; }

    public long Devices { get; init; }

    public long EvidenceGaps { get; init; }

    /// <summary>Counts <paramref name="snapshot"/>.</summary>
    public static SnapshotCounts Of(DirectorySnapshot snapshot)
    {
        long memberships = 0;
        long owners = 0;
        foreach (SnapshotGroup group in snapshot.Groups)
        {
            memberships += group.Members.Count;
            owners += group.Owners.Count;
        }

        long licences = 0;
        foreach (SnapshotUser user in snapshot.Users)
        {
            licences += user.Licenses.Count;
        }

        return new SnapshotCounts
        {
            Users = snapshot.Users.Count,
            Groups = snapshot.Groups.Count,
            GroupMemberships = memberships,
            GroupOwners = owners,
            RoleDefinitions = snapshot.RoleDefinitions.Count,
            RoleAssignments = snapshot.RoleAssignments.Count,
            ServicePrincipals = snapshot.ServicePrincipals.Count,
            AppRoleAssignments = snapshot.AppRoleAssignments.Count,
            DelegatedGrants = snapshot.DelegatedGrants.Count,
            Skus = snapshot.Skus.Count,
            LicenseAssignments = licences,
            AuthenticationRegistrations = snapshot.AuthenticationRegistrations.Count,
            Devices = snapshot.Devices.Count,
            EvidenceGaps = snapshot.EvidenceGaps.Count,
        };
    }

    // Name and value of each count, in header order (docs/directory-snapshot.md).
    internal IEnumerable<(string Name, long Value)> Entries()
    {
        yield return ("users", Users);
        yield return ("groups", Groups);
        yield return ("groupMemberships", GroupMemberships);
        yield return ("groupOwners", GroupOwners);
        yield return ("roleDefinitions", RoleDefinitions);
        yield return ("roleAssignments", RoleAssignments);
        yield return ("servicePrincipals", ServicePrincipals);
        yield return ("appRoleAssignments", AppRoleAssignments);
        yield return ("delegatedGrants", DelegatedGrants);
        yield return ("skus", Skus);
        yield return ("licenseAssignments", LicenseAssignments);
        yield return ("authenticationRegistrations", AuthenticationRegistrations);
        yield return ("devices", Devices);
        yield return ("evidenceGaps", EvidenceGaps);
    }

    internal static SnapshotCounts FromJson(JsonElement counts)
    {
        long Get(string name) => counts.TryGetProperty(name, out JsonElement value) ? value.GetInt64() : throw new KeyNotFoundException($"counts.{name} is missing");
        return new SnapshotCounts
        {
            Users = Get("users"),
            Groups = Get("groups"),
            GroupMemberships = Get("groupMemberships"),
            GroupOwners = Get("groupOwners"),
            RoleDefinitions = Get("roleDefinitions"),
            RoleAssignments = Get("roleAssignments"),
            ServicePrincipals = Get("servicePrincipals"),
            AppRoleAssignments = Get("appRoleAssignments"),
            DelegatedGrants = Get("delegatedGrants"),
            Skus = Get("skus"),
            LicenseAssignments = Get("licenseAssignments"),
            AuthenticationRegistrations = Get("authenticationRegistrations"),
            Devices = Get("devices"),
            EvidenceGaps = Get("evidenceGaps"),
        };
    }

    /// <summary>The first count that differs from <paramref name="other"/>, as "name: this vs other", or null.</summary>
    internal string? FirstDifference(SnapshotCounts other) =>
        Entries().Zip(other.Entries()).Where(p => p.First.Value != p.Second.Value)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.First.Name}: the header says {p.First.Value:N0}, the content has {p.Second.Value:N0}"))
            .FirstOrDefault();
}

/// <summary>
/// The first line of a snapshot file: enough to identify, index and verify the file without reading the content.
/// The format is in docs/directory-snapshot.md.
/// </summary>
public sealed record SnapshotFileHeader
{
    /// <summary>Always <see cref="DirectorySnapshotFile.FormatName"/>.</summary>
    public required string Format { get; init; }

    public required int FormatVersion { get; init; }

    public required string TenantId { get; init; }

    public required DateTimeOffset CollectedAt { get; init; }

    public string? ScopedToUserId { get; init; }

    public required SnapshotCounts Counts { get; init; }

    /// <summary>Lower-case hex SHA-256 of the content bytes exactly as stored: the digest audit events cite.</summary>
    public required string ContentSha256 { get; init; }

    /// <summary>The number of content bytes (after decompression, after the header line).</summary>
    public required long ContentLength { get; init; }

    internal void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("format", Format);
        writer.WriteNumber("formatVersion", FormatVersion);
        writer.WriteString("tenantId", TenantId);
        writer.WriteString("collectedAt", CollectedAt.ToString("O", CultureInfo.InvariantCulture));
        if (ScopedToUserId is not null)
        {
            writer.WriteString("scopedToUserId", ScopedToUserId);
        }

        writer.WriteStartObject("counts");
        foreach ((string name, long value) in Counts.Entries())
        {
            writer.WriteNumber(name, value);
        }

        writer.WriteEndObject();
        writer.WriteString("contentSha256", ContentSha256);
        writer.WriteNumber("contentLength", ContentLength);
        writer.WriteEndObject();
    }
}

/// <summary>A snapshot read from a file and verified, with the digest that evidence should cite.</summary>
public sealed record LoadedSnapshot
{
    public required DirectorySnapshot Snapshot { get; init; }

    /// <summary>The full path it was read from.</summary>
    public required string Path { get; init; }

    public required SnapshotFileHeader Header { get; init; }

    /// <summary>The size of the file on disk (compressed), in bytes.</summary>
    public required long FileLength { get; init; }

    /// <summary>Lower-case hex SHA-256 of the content, verified on read; cite it in audit events and reports.</summary>
    public string ContentSha256 => Header.ContentSha256;
}
