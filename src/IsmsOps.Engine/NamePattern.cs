using System.Text;
using System.Text.RegularExpressions;

namespace IsmsOps.Engine;

/// <summary>
/// Case-insensitive name matching with PowerShell-style wildcards: <c>*</c>, <c>?</c> and <c>[a-z]</c>; a backtick
/// escapes the next character. The engine has its own so it need not reference PowerShell.
/// </summary>
public sealed class NamePatternSet
{
    private readonly Regex[] _patterns;

    public NamePatternSet(IEnumerable<string>? patterns)
    {
        string[] list = patterns?.Where(p => !string.IsNullOrEmpty(p)).ToArray() ?? [];
        HasWildcards = list.Any(ContainsWildcard);
        _patterns = list.Select(ToRegex).ToArray();
    }

    /// <summary>True when no pattern was given (everything matches).</summary>
    public bool IsEmpty => _patterns.Length == 0;

    public bool HasWildcards { get; }

    public bool Matches(string? value) => IsEmpty || (value is not null && _patterns.Any(p => p.IsMatch(value)));

    public static bool ContainsWildcard(string pattern)
    {
        for (int i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '`')
            {
                i++;
                continue;
            }

            if (pattern[i] is '*' or '?' or '[')
            {
                return true;
            }
        }

        return false;
    }

    private static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            switch (c)
            {
                case '`' when i + 1 < pattern.Length:
                    regex.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[':
                    int close = pattern.IndexOf(']', i + 1);
                    if (close < 0)
                    {
                        regex.Append(@"\[");
                        break;
                    }

                    regex.Append('[').Append(pattern[(i + 1)..close].Replace(@"\", @"\\", StringComparison.Ordinal)).Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}
