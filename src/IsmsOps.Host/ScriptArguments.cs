using System.Management.Automation;

namespace IsmsOps.Host;

/// <summary>
/// Binds the words after <c>-File script.ps1</c> to the script, as pwsh -File reads them: <c>-Name value</c> and
/// <c>-Name:value</c> are named, <c>-Switch</c> sets a switch, other words are positional. The script's own parameters
/// decide which names are switches. A comma-separated value for an array parameter is split
/// (<c>-Task Build,Package</c>), which pwsh -File cannot do.
/// </summary>
internal static class ScriptArguments
{
    /// <summary>Adds <paramref name="words"/> as parameters of the command last added to <paramref name="ps"/>.</summary>
    /// <exception cref="ArgumentException">A parameter that takes a value is given none.</exception>
    public static PowerShell Bind(PowerShell ps, IReadOnlyList<string> words, IReadOnlyDictionary<string, ParameterMetadata> parameters)
    {
        for (int i = 0; i < words.Count; i++)
        {
            string word = words[i];
            if (!IsParameterName(word))
            {
                ps.AddArgument(word);
                continue;
            }

            string name = word[1..];
            string? inlineValue = null;
            int colon = name.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                inlineValue = name[(colon + 1)..];
                name = name[..colon];
            }

            ParameterMetadata? parameter = Find(parameters, name);
            if (parameter?.SwitchParameter == true)
            {
                ps.AddParameter(name, inlineValue is null || IsTrue(inlineValue));
            }
            else if (inlineValue is not null)
            {
                ps.AddParameter(name, ValueFor(parameter, inlineValue));
            }
            else if (i + 1 < words.Count && !IsParameterName(words[i + 1]))
            {
                // An undeclared name takes its value too, so that the binder reports the name rather than a stray value.
                ps.AddParameter(name, ValueFor(parameter, words[++i]));
            }
            else if (parameter is null)
            {
                // The binder reports the unknown name (or, for a script without [CmdletBinding()], puts it in $args).
                ps.AddParameter(name);
            }
            else
            {
                // Given no value the engine would bind $true, and a [string] parameter would silently get "True".
                throw new ArgumentException($"Missing an argument for the script's parameter -{parameter.Name}.");
            }
        }

        return ps;
    }

    /// <summary>-Name, but not a negative number such as -5.</summary>
    private static bool IsParameterName(string word) => word.Length > 1 && word[0] == '-' && (char.IsLetter(word[1]) || word[1] == '_');

    private static bool IsTrue(string value) =>
        !(value.Equals("$false", StringComparison.OrdinalIgnoreCase) || value.Equals("false", StringComparison.OrdinalIgnoreCase) || value == "0");

    private static object ValueFor(ParameterMetadata? parameter, string value) =>
        parameter?.ParameterType.IsArray == true && value.Contains(',', StringComparison.Ordinal)
            ? value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : value;

    /// <summary>The parameter by name, alias or unambiguous prefix, as the binder will resolve it.</summary>
    private static ParameterMetadata? Find(IReadOnlyDictionary<string, ParameterMetadata> parameters, string name)
    {
        ParameterMetadata[] exact = parameters.Values
            .Where(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase) || p.Aliases.Contains(name, StringComparer.OrdinalIgnoreCase))
            .ToArray();
        if (exact.Length == 1)
        {
            return exact[0];
        }

        ParameterMetadata[] prefixed = parameters.Values.Where(p => p.Name.StartsWith(name, StringComparison.OrdinalIgnoreCase)).ToArray();
        return prefixed.Length == 1 ? prefixed[0] : null;
    }
}
