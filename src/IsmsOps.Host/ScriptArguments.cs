using System.Collections;
using System.Management.Automation;

namespace IsmsOps.Host;

/// <summary>
/// The words after <c>-File script.ps1</c>, read as pwsh -File reads them: <c>-Name value</c> and <c>-Name:value</c>
/// are named, <c>-Switch</c> sets a switch, other words are positional. The script's own parameters decide which names
/// are switches. A comma-separated value for an array parameter is split (<c>-Task Build,Package</c>).
/// </summary>
/// <param name="Positional">Values in order, for splatting as <c>@positional</c>.</param>
/// <param name="Named">Parameter name to value, for splatting as <c>@named</c>.</param>
internal sealed record ScriptArguments(IReadOnlyList<object> Positional, Hashtable Named)
{
    /// <summary>Reads <paramref name="words"/> against the script's <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentException">A parameter that takes a value is last, with no value.</exception>
    public static ScriptArguments Parse(IReadOnlyList<string> words, IReadOnlyDictionary<string, ParameterMetadata> parameters)
    {
        var positional = new List<object>();
        var named = new Hashtable(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < words.Count; i++)
        {
            string word = words[i];
            if (!IsParameterName(word))
            {
                positional.Add(word);
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
            bool valueFollows = i + 1 < words.Count && !IsParameterName(words[i + 1]);
            if (parameter?.SwitchParameter == true)
            {
                named[name] = inlineValue is null || IsTrue(inlineValue);
            }
            else if (inlineValue is not null)
            {
                named[name] = ValueFor(parameter, inlineValue);
            }
            else if (valueFollows)
            {
                // An undeclared name takes its value too, so that the binder reports the name rather than a stray value.
                named[name] = ValueFor(parameter, words[++i]);
            }
            else if (parameter is null)
            {
                named[name] = true;
            }
            else
            {
                throw new ArgumentException($"Missing a value for the script's parameter -{parameter.Name}.");
            }
        }

        return new ScriptArguments(positional, named);
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
