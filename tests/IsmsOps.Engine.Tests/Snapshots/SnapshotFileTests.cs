using System.Collections;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.Tests.Snapshots;

public sealed class SnapshotFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ismsops-snapshot-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    [Fact]
    public void The_full_fixture_sets_every_property_of_every_snapshot_type()
    {
        // Guards the round-trip test below: a property the fixture leaves at its default would not be proven to survive.
        var all = new HashSet<string>();
        var set = new HashSet<string>();
        Walk(SnapshotFixtures.Full(), all, set);
        Assert.Empty(all.Except(set).Order());
        Assert.Contains("SnapshotDevice.RegisteredUserIds", set);
    }

    [Fact]
    public void A_snapshot_round_trips_with_every_collection_and_property()
    {
        DirectorySnapshot written = SnapshotFixtures.Full();
        string path = PathOf("full.json.gz");
        SnapshotFileHeader header = DirectorySnapshotFile.Write(path, written, overwrite: false, CancellationToken.None);

        LoadedSnapshot loaded = DirectorySnapshotFile.Read(path, CancellationToken.None);

        Assert.Equal(ContentOf(written), ContentOf(loaded.Snapshot));
        Assert.Equal(header, loaded.Header);
        Assert.Equal(header.ContentSha256, loaded.ContentSha256);
        Assert.Equal(path, loaded.Path);
        Assert.Equal(new FileInfo(path).Length, loaded.FileLength);
        DirectorySnapshot s = loaded.Snapshot;
        Assert.Equal("Ada O'Brien-Łukasiewicz", s.Users[0].DisplayName);
        Assert.Equal(RoleAssignmentState.Eligible, s.RoleAssignments[0].State);
        Assert.Equal(new DirectoryObjectRef("g-eng", DirectoryObjectKind.Group), s.Groups[0].Members[1]);
        Assert.Equal(EvidenceGapReason.MissingPermission, s.EvidenceGaps[0].Reason);
        Assert.Equal(Collected(written.Users[0].SignInActivity!.LastNonInteractiveSignInDateTime), s.Users[0].SignInActivity!.LastNonInteractiveSignInDateTime);
        Assert.Equal(SnapshotCounts.Of(written), header.Counts);
        Assert.Equal(3, header.Counts.GroupMemberships);
        Assert.Equal("u-ada", header.ScopedToUserId);
    }

    [Fact]
    public void The_same_snapshot_written_twice_has_the_same_digest_and_a_change_changes_it()
    {
        SnapshotFileHeader first = DirectorySnapshotFile.Write(PathOf("a.json.gz"), SnapshotFixtures.Full(), false, CancellationToken.None);
        SnapshotFileHeader second = DirectorySnapshotFile.Write(PathOf("b.json.gz"), SnapshotFixtures.Full(), false, CancellationToken.None);
        DirectorySnapshot changed = SnapshotFixtures.Full() with { CollectorVersion = "0.1.1" };
        SnapshotFileHeader third = DirectorySnapshotFile.Write(PathOf("c.json.gz"), changed, false, CancellationToken.None);

        Assert.Equal(first.ContentSha256, second.ContentSha256);
        Assert.Equal(File.ReadAllBytes(PathOf("a.json.gz")), File.ReadAllBytes(PathOf("b.json.gz")));
        Assert.NotEqual(first.ContentSha256, third.ContentSha256);
    }

    [Fact]
    public void The_file_is_gzip_of_a_header_line_then_content_whose_SHA256_the_header_records()
    {
        string path = PathOf("s.json.gz");
        DirectorySnapshotFile.Write(path, SnapshotFixtures.Full(), false, CancellationToken.None);

        (string headerLine, byte[] content) = Decompress(path);
        using var header = System.Text.Json.JsonDocument.Parse(headerLine);
        Assert.Equal("ismsops-directory-snapshot", header.RootElement.GetProperty("format").GetString());
        Assert.Equal(1, header.RootElement.GetProperty("formatVersion").GetInt32());
        Assert.Equal(SnapshotFixtures.TenantId, header.RootElement.GetProperty("tenantId").GetString());
        Assert.Equal(2, header.RootElement.GetProperty("counts").GetProperty("users").GetInt64());
        Assert.Equal(Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant(), header.RootElement.GetProperty("contentSha256").GetString());
        Assert.Equal(content.Length, header.RootElement.GetProperty("contentLength").GetInt64());

        string json = Encoding.UTF8.GetString(content);
        Assert.StartsWith("{\"formatVersion\":1,\"tenant\":{\"tenantId\":", json, StringComparison.Ordinal);
        Assert.Contains("\"state\":\"Eligible\"", json, StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"Group\"", json, StringComparison.Ordinal);
        Assert.Contains("O'Brien-Łukasiewicz", json, StringComparison.Ordinal);
        // Nulls, empty lists and derived properties (Kinds, IsDynamic, Latest) are not written.
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        Assert.DoesNotContain("[]", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"kinds\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"latest\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"isDynamic\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_shares_one_string_for_an_id_however_often_it_is_referenced()
    {
        string path = PathOf("s.json.gz");
        DirectorySnapshotFile.Write(path, SnapshotFixtures.Full(), false, CancellationToken.None);
        DirectorySnapshot s = DirectorySnapshotFile.Read(path, CancellationToken.None).Snapshot;

        string ada = s.Users[0].Id;
        Assert.Same(ada, s.Groups[0].Members[0].Id);
        Assert.Same(ada, s.Groups[1].Members[0].Id);
        Assert.Same(ada, s.RoleAssignments[0].PrincipalId);
        Assert.Same(ada, s.Devices[0].RegisteredOwnerIds[0]);
        Assert.Same(s.Skus[0].SkuId, s.Users[0].Licenses[0].SkuId);
    }

    [Fact]
    public void A_file_written_before_sponsors_were_collected_still_loads_and_its_guests_sponsors_stay_unknown()
    {
        // Format version 1 as IsmsOps wrote it before sponsors: no sponsorsCollected, no sponsorIds.
        string path = PathOf("before-sponsors.json.gz");
        Forge(path, Header().Replace("\"users\":1", "\"users\":2", StringComparison.Ordinal),
            "{\"formatVersion\":1,\"tenant\":{\"tenantId\":\"t\"},\"collectedAt\":\"2026-11-23T20:40:00+00:00\",\"source\":\"https://graph.microsoft.com/v1.0\","
            + "\"users\":[{\"id\":\"u-guest\",\"userPrincipalName\":\"guest_fabrikam.com#EXT#@contoso.com\",\"accountEnabled\":true,\"userType\":\"Guest\"},"
            + "{\"id\":\"u-ciso\",\"userPrincipalName\":\"ciso@contoso.com\",\"accountEnabled\":true,\"userType\":\"Member\"}]}", digest: true);

        DirectorySnapshot read = DirectorySnapshotFile.Read(path, CancellationToken.None).Snapshot;
        AccessReviewContent content = AccessReviewCampaignBuilder.Build("AR-OLD", new AccessReviewDefinition
        {
            Name = "Guests",
            Scope = new AccessReviewScope { Guests = true },
            Reviewers = new AccessReviewReviewers { Fallback = ["u-ciso"] },
        }, DirectoryIndex.Build(read), Engine.Roles.RoleCatalog.Empty, [], SnapshotFixtures.Collected);

        Assert.False(read.SponsorsCollected);
        Assert.Empty(read.Users[0].SponsorIds);
        AccessReviewItem guest = Assert.Single(content.Items);
        // Denied for never signing in, which the file can tell; never for lacking a sponsor, which it cannot.
        Assert.Equal([AccessReviewReason.NeverSignedIn, AccessReviewReason.SponsorUnknown], guest.Reasons);
        Assert.Contains(content.EvidenceGaps, g => g.Contains("sponsors", StringComparison.Ordinal));
    }

    [Fact]
    public void A_snapshot_without_collected_sponsors_is_written_exactly_as_before_and_one_with_them_says_so()
    {
        DirectorySnapshot without = SnapshotFixtures.Full() with
        {
            SponsorsCollected = false,
            Users = SnapshotFixtures.Full().Users.Select(u => u with { SponsorIds = [] }).ToArray(),
        };

        Assert.DoesNotContain("sponsor", ContentOf(without), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"evidenceGaps\":[{\"area\":\"signInActivity\",\"reason\":\"MissingPermission\",\"detail\":\"Authentication_RequestFromNonPremiumTenantOrB2CTenant\"}],\"sponsorsCollected\":true,\"users\"",
            ContentOf(SnapshotFixtures.Full()), StringComparison.Ordinal);
        Assert.Contains("\"sponsorIds\":[\"u-grace\"]", ContentOf(SnapshotFixtures.Full()), StringComparison.Ordinal);
    }

    [Fact]
    public void An_existing_file_is_kept_unless_overwrite_is_asked_for()
    {
        string path = PathOf("s.json.gz");
        File.WriteAllText(path, "precious");

        var refused = Assert.Throws<IsmsException>(() => DirectorySnapshotFile.Write(path, SnapshotFixtures.Full(), false, CancellationToken.None));
        Assert.Equal("IsmsOps.Snapshot.Exists", refused.ErrorId);
        Assert.Equal("precious", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_folder));

        DirectorySnapshotFile.Write(path, SnapshotFixtures.Full(), overwrite: true, CancellationToken.None);
        Assert.Equal(2, DirectorySnapshotFile.Read(path, CancellationToken.None).Snapshot.Users.Count);
    }

    [Fact]
    public void A_cancelled_write_leaves_no_file_behind()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => DirectorySnapshotFile.Write(PathOf("s.json.gz"), SnapshotFixtures.Full(), false, cancelled.Token));
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void A_write_into_a_missing_folder_fails_clearly_and_leaves_nothing()
    {
        var failed = Assert.Throws<IsmsException>(() =>
            DirectorySnapshotFile.Write(PathOf("no/such/folder/s.json.gz"), SnapshotFixtures.Full(), false, CancellationToken.None));
        Assert.Equal("IsmsOps.Snapshot.WriteFailed", failed.ErrorId);
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(0.05)]
    public void A_truncated_file_is_refused_as_truncated(double keep)
    {
        string path = PathOf("s.json.gz");
        DirectorySnapshotFile.Write(path, Bigger(), false, CancellationToken.None);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * keep)]);

        Assert.Equal("IsmsOps.Snapshot.Truncated", ReadError(path).ErrorId);
    }

    [Fact]
    public void A_file_cut_inside_its_header_is_refused_as_truncated()
    {
        string path = PathOf("s.json.gz");
        Forge(path, Header(), "{}", digest: true);
        byte[] onlyHeader = Gzip(Encoding.UTF8.GetBytes("{\"format\":\"ismsops-directory-snap"));
        File.WriteAllBytes(path, onlyHeader);

        Assert.Equal("IsmsOps.Snapshot.Truncated", ReadError(path).ErrorId);
    }

    [Fact]
    public void A_file_that_is_not_gzip_is_not_a_snapshot()
    {
        string path = PathOf("s.json");
        File.WriteAllText(path, "{\"format\":\"ismsops-directory-snapshot\"}\n{}");
        IsmsException error = ReadError(path);
        Assert.Equal("IsmsOps.Snapshot.NotASnapshot", error.ErrorId);
        Assert.Contains("not gzip", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"format\":\"something-else\",\"formatVersion\":1}\n{}")]
    [InlineData("name,department\nAda,Engineering\n")]
    [InlineData("no newline at all")]
    public void A_gzip_file_without_our_header_is_not_a_snapshot(string text)
    {
        string path = PathOf("other.gz");
        File.WriteAllBytes(path, Gzip(Encoding.UTF8.GetBytes(text)));
        Assert.Equal("IsmsOps.Snapshot.NotASnapshot", ReadError(path).ErrorId);
    }

    [Fact]
    public void An_unknown_format_version_is_refused_naming_the_versions_this_build_reads()
    {
        string path = PathOf("s.json.gz");
        Forge(path, Header(version: 2), Encoding.UTF8.GetString(Decompress(Written()).Content), digest: true);

        IsmsException error = ReadError(path);
        Assert.Equal("IsmsOps.Snapshot.UnsupportedVersion", error.ErrorId);
        Assert.Contains("version 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("reads version 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("Update IsmsOps", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_edited_after_it_was_written_fails_the_digest_check()
    {
        string path = Written();
        (string header, byte[] content) = Decompress(path);
        string edited = Encoding.UTF8.GetString(content).Replace("\"Global Administrator\"", "\"Global Reader\"", StringComparison.Ordinal);
        File.WriteAllBytes(path, Gzip(Encoding.UTF8.GetBytes(header + "\n" + edited)));

        IsmsException error = ReadError(path);
        Assert.Equal("IsmsOps.Snapshot.DigestMismatch", error.ErrorId);
        Assert.Contains("edited after it was written", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_edit_that_breaks_the_JSON_is_still_reported_as_an_edit()
    {
        string path = Written();
        (string header, byte[] content) = Decompress(path);
        string edited = Encoding.UTF8.GetString(content).Replace("\"users\":[", "\"users\":[[", StringComparison.Ordinal);
        File.WriteAllBytes(path, Gzip(Encoding.UTF8.GetBytes(header + "\n" + edited)));

        Assert.Equal("IsmsOps.Snapshot.DigestMismatch", ReadError(path).ErrorId);
    }

    [Fact]
    public void Content_that_is_not_a_snapshot_is_reported_with_its_position_even_when_the_digest_matches()
    {
        string path = PathOf("s.json.gz");
        Forge(path, Header(), "{\"formatVersion\":1,\"tenant\":{\"tenantId\":\"t\"},\"users\":[{\"id\":\"u1\"}]}", digest: true);

        IsmsException error = ReadError(path);
        Assert.Equal("IsmsOps.Snapshot.InvalidContent", error.ErrorId);
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("$.users[0]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Members_and_owners_are_written_as_id_and_kind_objects_exactly_as_the_general_serializer_wrote_them()
    {
        // Digests of files written before the member lists got their own converter must still match their content.
        var group = new SnapshotGroup
        {
            Id = "g-1",
            Members = Enum.GetValues<DirectoryObjectKind>().Select((kind, i) => new DirectoryObjectRef($"m-{i}", kind)).ToArray(),
            Owners = [new DirectoryObjectRef("o-'ł", DirectoryObjectKind.User)],
        };
        string content = ContentOf(SnapshotFixtures.Empty() with { Groups = [group] });

        Assert.Contains("\"members\":[{\"id\":\"m-0\",\"kind\":\"User\"},{\"id\":\"m-1\",\"kind\":\"Group\"},{\"id\":\"m-2\",\"kind\":\"ServicePrincipal\"},"
            + "{\"id\":\"m-3\",\"kind\":\"Device\"},{\"id\":\"m-4\",\"kind\":\"OrgContact\"},{\"id\":\"m-5\",\"kind\":\"Other\"}],\"owners\":[{\"id\":\"o-'ł\",\"kind\":\"User\"}]",
            content, StringComparison.Ordinal);
        Assert.DoesNotContain("\"members\":[]", ContentOf(SnapshotFixtures.Empty() with { Groups = [group with { Members = [] }] }), StringComparison.Ordinal);
    }

    [Fact]
    public void Member_kinds_read_in_any_case_or_as_numbers_and_unknown_properties_are_skipped()
    {
        string path = WithMembers("{\"kind\":\"user\",\"id\":\"u1\"},{\"id\":\"g2\",\"extra\":{\"a\":[1]},\"kind\":1},{\"id\":\"u\\u0031\",\"kind\":\"User\"}", 3);

        IReadOnlyList<DirectoryObjectRef> members = DirectorySnapshotFile.Read(path, CancellationToken.None).Snapshot.Groups[0].Members;

        Assert.Equal([new("u1", DirectoryObjectKind.User), new("g2", DirectoryObjectKind.Group), new("u1", DirectoryObjectKind.User)], members);
        Assert.Same(members[0].Id, members[2].Id);
    }

    [Theory]
    [InlineData("{\"id\":\"u1\",\"kind\":\"Robot\"}", "unknown kind")]
    [InlineData("{\"id\":\"u1\",\"kind\":42}", "unknown kind")]
    [InlineData("{\"kind\":\"User\"}", "no id")]
    [InlineData("{\"id\":\"u1\"}", "no kind")]
    [InlineData("{\"id\":7,\"kind\":\"User\"}", "Expected a string for id")]
    [InlineData("\"u1\"", "Expected a directory object reference")]
    public void A_damaged_member_reference_is_invalid_content_with_its_position(string member, string why)
    {
        string path = WithMembers(member, 1);

        IsmsException error = ReadError(path);

        Assert.Equal("IsmsOps.Snapshot.InvalidContent", error.ErrorId);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.Contains("$.groups[0].members", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_whose_counts_disagree_with_the_content_is_refused()
    {
        string path = Written();
        (string header, byte[] content) = Decompress(path);
        Forge(path, header.Replace("\"users\":2", "\"users\":3", StringComparison.Ordinal), Encoding.UTF8.GetString(content), digest: false);

        IsmsException error = ReadError(path);
        Assert.Equal("IsmsOps.Snapshot.HeaderMismatch", error.ErrorId);
        Assert.Contains("users: the header says 3, the content has 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_naming_another_tenant_is_refused()
    {
        string path = Written();
        (string header, byte[] content) = Decompress(path);
        Forge(path, header.Replace(SnapshotFixtures.TenantId, "00000000-0000-0000-0000-000000000000", StringComparison.Ordinal), Encoding.UTF8.GetString(content), digest: false);

        Assert.Equal("IsmsOps.Snapshot.HeaderMismatch", ReadError(path).ErrorId);
    }

    [Fact]
    public void A_damaged_header_is_reported_as_such()
    {
        string path = PathOf("s.json.gz");
        Forge(path, "{\"format\":\"ismsops-directory-snapshot\",\"formatVersion\":1,\"tenantId\":\"t\"}", "{}", digest: false);
        Assert.Equal("IsmsOps.Snapshot.InvalidHeader", ReadError(path).ErrorId);
    }

    [Fact]
    public void Compressed_data_damaged_far_into_the_file_is_refused_and_the_reader_stops_cleanly()
    {
        // Damage well past the header, where the second thread is inflating ahead of the parser: its failure must reach
        // the caller as the file's fault, and a good file must read normally afterwards.
        string path = PathOf("big.json.gz");
        DirectorySnapshotFile.Write(path, Bigger(), overwrite: false, CancellationToken.None);
        byte[] bytes = File.ReadAllBytes(path);
        Array.Fill(bytes, (byte)0xFF, bytes.Length / 2, 64);
        File.WriteAllBytes(path, bytes);

        Assert.Contains(ReadError(path).ErrorId, new[] { "IsmsOps.Snapshot.Corrupt", "IsmsOps.Snapshot.DigestMismatch" });
        Assert.Equal(SnapshotFixtures.Full().Users.Count, DirectorySnapshotFile.Read(Written(), CancellationToken.None).Snapshot.Users.Count);
    }

    [Fact]
    public void A_cancelled_read_stops_with_cancellation_not_an_error_about_the_file()
    {
        string path = PathOf("big.json.gz");
        DirectorySnapshotFile.Write(path, Bigger(), overwrite: false, CancellationToken.None);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => DirectorySnapshotFile.Read(path, cancelled.Token));
        Assert.Equal(3000, DirectorySnapshotFile.Read(path, CancellationToken.None).Snapshot.Users.Count);
    }

    [Fact]
    public void A_missing_file_is_not_found()
    {
        Assert.Equal("IsmsOps.Snapshot.NotFound", ReadError(PathOf("missing.json.gz")).ErrorId);
    }

    // ---- helpers ----

    private string Written()
    {
        string path = PathOf("written.json.gz");
        DirectorySnapshotFile.Write(path, SnapshotFixtures.Full(), overwrite: true, CancellationToken.None);
        return path;
    }

    // A written snapshot whose one group's member list is replaced by hand, the digest recomputed: what a faulty writer could produce.
    private string WithMembers(string members, int count)
    {
        string path = PathOf("members.json.gz");
        DirectorySnapshot snapshot = SnapshotFixtures.Empty() with
        {
            Users = [new SnapshotUser { Id = "u1", UserPrincipalName = "a@contoso.com" }],
            Groups = [new SnapshotGroup { Id = "g", Members = [new DirectoryObjectRef("PLACEHOLDER", DirectoryObjectKind.User)] }],
        };
        DirectorySnapshotFile.Write(path, snapshot, overwrite: true, CancellationToken.None);
        (string header, byte[] content) = Decompress(path);
        string edited = Encoding.UTF8.GetString(content).Replace("[{\"id\":\"PLACEHOLDER\",\"kind\":\"User\"}]", "[" + members + "]", StringComparison.Ordinal);
        Assert.DoesNotContain("PLACEHOLDER", edited, StringComparison.Ordinal);
        Forge(path, header.Replace("\"groupMemberships\":1", $"\"groupMemberships\":{count}", StringComparison.Ordinal), edited, digest: true);
        return path;
    }

    private static DirectorySnapshot Bigger() => SnapshotFixtures.Empty() with
    {
        Users = Enumerable.Range(0, 3000).Select(i => new SnapshotUser { Id = $"user-{i:D6}", UserPrincipalName = $"user{i}@contoso.com", DisplayName = $"User {i} {Guid.NewGuid()}" }).ToArray(),
    };

    private static DateTimeOffset? Collected(DateTimeOffset? value) => value;

    private static IsmsException ReadError(string path) => Assert.Throws<IsmsException>(() => DirectorySnapshotFile.Read(path, CancellationToken.None));

    private static string ContentOf(DirectorySnapshot snapshot) =>
        Encoding.UTF8.GetString(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(snapshot, SnapshotJson.SnapshotType(SnapshotJson.WriteOptions)));

    private static string Header(int version = 1) =>
        $"{{\"format\":\"ismsops-directory-snapshot\",\"formatVersion\":{version},\"tenantId\":\"t\",\"collectedAt\":\"2026-11-23T20:40:00.0000000+00:00\","
        + "\"counts\":{\"users\":1,\"groups\":0,\"groupMemberships\":0,\"groupOwners\":0,\"roleDefinitions\":0,\"roleAssignments\":0,\"servicePrincipals\":0,"
        + "\"appRoleAssignments\":0,\"delegatedGrants\":0,\"skus\":0,\"licenseAssignments\":0,\"authenticationRegistrations\":0,\"devices\":0,\"evidenceGaps\":0},"
        + "\"contentSha256\":\"SHA\",\"contentLength\":LENGTH}";

    /// <summary>Writes a file by hand; with <paramref name="digest"/> the header's SHA and LENGTH placeholders are filled correctly.</summary>
    private static void Forge(string path, string header, string content, bool digest)
    {
        byte[] body = Encoding.UTF8.GetBytes(content);
        if (digest)
        {
            header = System.Text.RegularExpressions.Regex.Replace(header, "\"contentSha256\":\"[^\"]*\"", $"\"contentSha256\":\"{Convert.ToHexString(SHA256.HashData(body)).ToLowerInvariant()}\"");
            header = System.Text.RegularExpressions.Regex.Replace(header, "\"contentLength\":[A-Z0-9]+", $"\"contentLength\":{body.Length}");
        }

        File.WriteAllBytes(path, Gzip([.. Encoding.UTF8.GetBytes(header + "\n"), .. body]));
    }

    private static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static (string Header, byte[] Content) Decompress(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var all = new MemoryStream();
        gzip.CopyTo(all);
        byte[] bytes = all.ToArray();
        int newline = Array.IndexOf(bytes, (byte)'\n');
        return (Encoding.UTF8.GetString(bytes, 0, newline), bytes[(newline + 1)..]);
    }

    // Records each snapshot type's settable properties in all, and in set those that hold a non-default value somewhere.
    private static void Walk(object value, HashSet<string> all, HashSet<string> set)
    {
        Type type = value.GetType();
        if (type.Namespace != typeof(DirectorySnapshot).Namespace || type.IsEnum)
        {
            return;
        }

        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is not null))
        {
            string name = type.Name + "." + property.Name;
            all.Add(name);
            object? v = property.GetValue(value);
            bool isDefault = v is null || (property.PropertyType.IsValueType && v.Equals(Activator.CreateInstance(property.PropertyType)))
                || (v is ICollection c && c.Count == 0) || (property.Name == "DirectoryScopeId" && (string)v == "/");
            if (isDefault)
            {
                continue;
            }

            set.Add(name);
            if (v is IEnumerable items and not string)
            {
                foreach (object item in items)
                {
                    Walk(item, all, set);
                }
            }
            else
            {
                Walk(v!, all, set);
            }
        }
    }
}
