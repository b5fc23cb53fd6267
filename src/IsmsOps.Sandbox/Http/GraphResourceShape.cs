using System.Text.Json;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Sandbox.Http;

/// <summary>
/// The Graph v1.0 properties the sandbox serves for one resource type, under Graph's exact names, and which of them
/// Graph returns when the caller sends no $select. Every payload is written from these tables, which is what lets a
/// test hold the payloads to Graph's metadata.
/// </summary>
internal sealed class GraphResourceShape<T>
    where T : DirectoryObject
{
    private readonly Dictionary<string, (string Name, Action<Utf8JsonWriter, T> Write)> _properties = new(StringComparer.OrdinalIgnoreCase);

    internal GraphResourceShape(string graphTypeName) => GraphTypeName = graphTypeName;

    /// <summary>Graph's internal type name, which its "could not find a property" errors mention.</summary>
    public string GraphTypeName { get; }

    public IReadOnlyList<string> DefaultProperties { get; private set; } = [];

    public IEnumerable<string> PropertyNames => _properties.Values.Select(p => p.Name);

    /// <summary>The canonical spelling of a property, or null when the type has no such property.</summary>
    public string? Resolve(string name) => _properties.TryGetValue(name, out var property) ? property.Name : null;

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

    internal GraphResourceShape<T> String(string name, Func<T, string?> value) =>
        Add(name, (w, item) => WriteString(w, name, value(item)));

    internal GraphResourceShape<T> Boolean(string name, Func<T, bool?> value) =>
        Add(name, (w, item) =>
        {
            if (value(item) is bool b) { w.WriteBoolean(name, b); } else { w.WriteNull(name); }
        });

    internal GraphResourceShape<T> Instant(string name, Func<T, DateTimeOffset?> value) =>
        Add(name, (w, item) => WriteString(w, name, value(item)?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)));

    internal GraphResourceShape<T> Strings(string name, Func<T, IEnumerable<string>> values) =>
        Add(name, (w, item) =>
        {
            w.WriteStartArray(name);
            foreach (string value in values(item)) { w.WriteStringValue(value); }
            w.WriteEndArray();
        });

    internal GraphResourceShape<T> Add(string name, Action<Utf8JsonWriter, T> write)
    {
        _properties.Add(name, (name, write));
        return this;
    }

    internal GraphResourceShape<T> Defaults(params string[] names)
    {
        DefaultProperties = names;
        return this;
    }

    private static void WriteString(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null) { writer.WriteNull(name); } else { writer.WriteString(name, value); }
    }
}

/// <summary>The user and group shapes the sandbox serves.</summary>
internal static class GraphShapes
{
    // Graph's default user set (no $select) is the ten "basic" properties plus id; the rest only when selected.
    public static GraphResourceShape<DirectoryUser> User { get; } = new GraphResourceShape<DirectoryUser>("Microsoft.DirectoryServices.User")
        .String("id", u => u.Id)
        .Strings("businessPhones", _ => [])
        .String("displayName", u => u.DisplayName)
        .String("givenName", u => u.GivenName)
        .String("jobTitle", u => u.JobTitle)
        .String("mail", u => u.Mail)
        .String("mobilePhone", _ => null)
        .String("officeLocation", _ => null)
        .String("preferredLanguage", _ => null)
        .String("surname", u => u.Surname)
        .String("userPrincipalName", u => u.UserPrincipalName)
        .Boolean("accountEnabled", u => u.AccountEnabled)
        .String("department", u => u.Department)
        .String("employeeId", u => u.EmployeeId)
        .Instant("employeeHireDate", u => u.EmployeeHireDate)
        .Instant("employeeLeaveDateTime", u => u.EmployeeLeaveDateTime)
        .String("userType", u => u.UserType)
        .String("mailNickname", u => u.MailNickname)
        .Instant("createdDateTime", u => u.CreatedDateTime)
        .Boolean("onPremisesSyncEnabled", u => u.OnPremisesSyncEnabled)
        .Add("signInActivity", WriteSignInActivity)
        .Defaults("businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation",
            "preferredLanguage", "surname", "userPrincipalName", "id");

    public static GraphResourceShape<DirectoryGroup> Group { get; } = new GraphResourceShape<DirectoryGroup>("Microsoft.DirectoryServices.Group")
        .String("id", g => g.Id)
        .String("displayName", g => g.DisplayName)
        .String("description", g => g.Description)
        .String("mail", g => g.Mail)
        .Boolean("mailEnabled", g => g.MailEnabled)
        .String("mailNickname", g => g.MailNickname)
        .Boolean("securityEnabled", g => g.SecurityEnabled)
        .Strings("groupTypes", g => g.GroupTypes)
        .String("membershipRule", g => g.MembershipRule)
        .String("membershipRuleProcessingState", g => g.MembershipRuleProcessingState)
        .Boolean("isAssignableToRole", g => g.IsAssignableToRole)
        .Boolean("onPremisesSyncEnabled", g => g.OnPremisesSyncEnabled)
        .String("visibility", g => g.Visibility)
        .Instant("createdDateTime", g => g.CreatedDateTime)
        .Defaults("id", "createdDateTime", "description", "displayName", "groupTypes", "isAssignableToRole", "mail",
            "mailEnabled", "mailNickname", "membershipRule", "membershipRuleProcessingState", "onPremisesSyncEnabled",
            "securityEnabled", "visibility");

    private static void WriteSignInActivity(Utf8JsonWriter writer, DirectoryUser user)
    {
        if (user.LastSignInDateTime is not DateTimeOffset last)
        {
            writer.WriteNull("signInActivity");
            return;
        }

        string text = last.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        writer.WriteStartObject("signInActivity");
        writer.WriteString("lastSignInDateTime", text);
        writer.WriteString("lastNonInteractiveSignInDateTime", text);
        writer.WriteEndObject();
    }
}
