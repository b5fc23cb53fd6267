namespace IsmsOps.Engine.Policies;

/// <summary>
/// The folder policy files are read from: <c>$ISMSOPS_POLICIES</c> when set, otherwise the <c>policies/</c> folder
/// shipped inside the module, otherwise none (every policy then uses its built-in defaults). A policy whose file the
/// folder lacks uses its built-in defaults too.
/// </summary>
/// <param name="Path">The folder, or null for built-in defaults only.</param>
/// <param name="Origin">How it was chosen, for messages ("$ISMSOPS_POLICIES", "the module", "built-in defaults").</param>
public sealed record PolicyFolder(string? Path, string Origin)
{
    public const string Variable = "ISMSOPS_POLICIES";

    /// <summary>No folder: built-in defaults only.</summary>
    public static PolicyFolder BuiltIn { get; } = new(null, "built-in defaults");

    /// <summary>
    /// Resolves the folder as the module does. <c>$ISMSOPS_POLICIES</c> naming a folder that does not exist is an
    /// error rather than a quiet fall-back to defaults: it is almost always a typo, and the defaults may be laxer.
    /// </summary>
    public static PolicyFolder Resolve(string? shippedFolder, Func<string, string?>? environment = null)
    {
        string? configured = (environment ?? Environment.GetEnvironmentVariable)(Variable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            string full = System.IO.Path.GetFullPath(configured);
            return Directory.Exists(full)
                ? new PolicyFolder(full, "$" + Variable)
                : throw new IsmsException("IsmsOps.Policy.FolderMissing", IsmsErrorKind.InvalidArgument,
                    $"${Variable} names the folder '{full}', which does not exist. Nothing was changed.",
                    $"Point ${Variable} at your policy folder, or clear it to use the policies shipped with the module.", full);
        }

        return shippedFolder is not null && Directory.Exists(shippedFolder) ? new PolicyFolder(System.IO.Path.GetFullPath(shippedFolder), "the module") : BuiltIn;
    }

    /// <summary>The path of <paramref name="fileName"/> in this folder, or null when there is no such file.</summary>
    public string? FileFor(string fileName)
    {
        if (Path is null)
        {
            return null;
        }

        string file = System.IO.Path.Combine(Path, fileName);
        return File.Exists(file) ? file : null;
    }
}
