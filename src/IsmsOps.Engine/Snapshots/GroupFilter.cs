using System.Globalization;
using System.Text;

namespace IsmsOps.Engine.Snapshots;

/// <summary>
/// A group filter written in the part of OData <c>$filter</c> that Graph administrators already write for groups,
/// parsed once and evaluated against a snapshot's groups: <c>eq</c>, <c>ne</c>, <c>startswith(prop,'x')</c>,
/// <c>endswith(prop,'x')</c>, <c>and</c>, <c>or</c>, <c>not</c>, parentheses, <c>groupTypes/any(t:t eq 'Unified')</c>,
/// <c>true</c>, <c>false</c>, <c>null</c> and quoted strings (<c>''</c> is a quote inside one).
/// </summary>
/// <remarks>
/// Strings compare case-insensitively, as Graph compares directory strings. A missing value (a group without a mail
/// address) equals only <c>null</c>, so <c>mail ne 'x'</c> holds for it and <c>startswith(mail,'x')</c> does not.
/// Errors are <see cref="IsmsException"/>s with ErrorId <c>IsmsOps.GroupFilter.Syntax</c> (naming the 1-based column
/// and what was expected there) or <c>IsmsOps.GroupFilter.UnknownProperty</c> (listing the properties there are).
/// </remarks>
public sealed class GroupFilter
{
    private static readonly Dictionary<string, Property> Properties = new Property[]
    {
        new("id", PropertyType.Text, g => g.Id),
        new("displayName", PropertyType.Text, g => g.DisplayName),
        new("description", PropertyType.Text, g => g.Description),
        new("mail", PropertyType.Text, g => g.Mail),
        new("membershipRule", PropertyType.Text, g => g.MembershipRule),
        new("mailEnabled", PropertyType.Boolean, g => g.MailEnabled),
        new("securityEnabled", PropertyType.Boolean, g => g.SecurityEnabled),
        new("isAssignableToRole", PropertyType.Boolean, g => g.IsAssignableToRole),
        new("onPremisesSyncEnabled", PropertyType.Boolean, g => g.OnPremisesSyncEnabled),
        new("groupTypes", PropertyType.TextList, g => g.GroupTypes),
    }.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>How deeply parentheses, 'not' and any(…) may nest in one filter.</summary>
    public const int MaxDepth = 64;

    private readonly Func<SnapshotGroup, bool> _predicate;

    private GroupFilter(string text, Func<SnapshotGroup, bool> predicate)
    {
        Text = text;
        _predicate = predicate;
    }

    /// <summary>The filter as written.</summary>
    public string Text { get; }

    /// <summary>The properties a filter can name, in the casing Graph uses.</summary>
    public static IReadOnlyList<string> KnownProperties { get; } = Properties.Values.Select(p => p.Name).ToArray();

    /// <summary>True when <paramref name="group"/> passes the filter.</summary>
    public bool Matches(SnapshotGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return _predicate(group);
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    /// <summary>Parses <paramref name="text"/>; throws IsmsOps.GroupFilter.Syntax or IsmsOps.GroupFilter.UnknownProperty.</summary>
    public static GroupFilter Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new Parser(text);
        Func<Context, bool> body = parser.ParseExpression();
        parser.ExpectEnd();
        return new GroupFilter(text, group => body(new Context(group, null)));
    }

    private enum PropertyType
    {
        Text,
        Boolean,
        TextList,
    }

    private sealed record Property(string Name, PropertyType Type, Func<SnapshotGroup, object?> Read);

    // The group being tested, and inside any() the element the range variable stands for.
    private readonly record struct Context(SnapshotGroup Group, string? Element);

    private enum TokenKind
    {
        Identifier,
        String,
        OpenParen,
        CloseParen,
        Comma,
        Slash,
        Colon,
        End,
    }

    private readonly record struct Token(TokenKind Kind, string Value, int Column)
    {
        public string Describe() => Kind switch
        {
            TokenKind.End => "the end of the filter",
            TokenKind.String => $"the string '{Value.Replace("'", "''", StringComparison.Ordinal)}'",
            _ => $"'{Value}'",
        };

        public bool Is(string word) => Kind == TokenKind.Identifier && string.Equals(Value, word, StringComparison.OrdinalIgnoreCase);
    }

    // An operand of a comparison: a property of the group (or the range variable), or a literal.
    private sealed record Operand(PropertyType Type, Func<Context, object?> Read, string Name, int Column);

    private sealed class Parser
    {
        private readonly string _text;
        private readonly List<Token> _tokens;
        private int _next;
        private string? _rangeVariable;
        // Each '(', 'not' and any(…) recurses once; a cap keeps a hostile filter from overflowing the stack.
        private int _depth;

        public Parser(string text)
        {
            _text = text;
            _tokens = Tokenize(text);
        }

        private Token Peek => _tokens[_next];

        private Token Take() => _tokens[_next++];

        public void ExpectEnd()
        {
            if (Peek.Kind != TokenKind.End)
            {
                throw Syntax(Peek, "'and', 'or' or the end of the filter");
            }
        }

        public Func<Context, bool> ParseExpression()
        {
            Func<Context, bool> left = ParseAnd();
            while (Peek.Is("or"))
            {
                Take();
                Func<Context, bool> l = left, right = ParseAnd();
                left = c => l(c) || right(c);
            }

            return left;
        }

        private Func<Context, bool> ParseAnd()
        {
            Func<Context, bool> left = ParseUnary();
            while (Peek.Is("and"))
            {
                Take();
                Func<Context, bool> l = left, right = ParseUnary();
                left = c => l(c) && right(c);
            }

            return left;
        }

        private Func<Context, bool> ParseUnary()
        {
            if (Peek.Is("not"))
            {
                Enter(Take());
                Func<Context, bool> inner = ParseUnary();
                _depth--;
                return c => !inner(c);
            }

            return ParsePrimary();
        }

        private Func<Context, bool> ParsePrimary()
        {
            Token token = Peek;
            if (token.Kind == TokenKind.OpenParen)
            {
                Enter(Take());
                Func<Context, bool> inner = ParseExpression();
                Expect(TokenKind.CloseParen, "')' or 'and', 'or'");
                _depth--;
                return inner;
            }

            if (token.Kind != TokenKind.Identifier || token.Is("and") || token.Is("or") || token.Is("eq") || token.Is("ne"))
            {
                throw Syntax(token, "a comparison such as displayName eq 'Finance', a function such as startswith(displayName,'Fin'), 'not' or '('");
            }

            if ((token.Is("startswith") || token.Is("endswith")) && _tokens[_next + 1].Kind == TokenKind.OpenParen)
            {
                return ParseFunction();
            }

            if (_tokens[_next + 1].Kind == TokenKind.Slash)
            {
                return ParseAny();
            }

            Operand left = ParseOperand();
            Token op = Take();
            bool equal;
            if (op.Is("eq"))
            {
                equal = true;
            }
            else if (op.Is("ne"))
            {
                equal = false;
            }
            else
            {
                throw Syntax(op, $"'eq' or 'ne' after {left.Name}" + (IsOtherOperator(op) ? $" ('{op.Value}' is not supported)" : string.Empty));
            }

            Operand right = ParseOperand();
            Check(left, right);
            Func<Context, object?> readLeft = left.Read, readRight = right.Read;
            return equal
                ? c => Same(readLeft(c), readRight(c))
                : c => !Same(readLeft(c), readRight(c));
        }

        private static bool IsOtherOperator(Token token) =>
            token.Kind == TokenKind.Identifier && token.Value.ToLowerInvariant() is "gt" or "ge" or "lt" or "le" or "has" or "in";

        private Func<Context, bool> ParseFunction()
        {
            Token name = Take();
            Expect(TokenKind.OpenParen, "'('");
            Operand subject = ParseOperand();
            if (subject.Type != PropertyType.Text || IsLiteral(subject))
            {
                throw Syntax(subject.Column, $"{name.Value.ToLowerInvariant()}'s first argument is {subject.Name}, but it takes a text property (displayName, description, mail, membershipRule, id)", "a text property");
            }

            Expect(TokenKind.Comma, "','");
            Token value = Take();
            if (value.Kind != TokenKind.String)
            {
                throw Syntax(value, "a quoted string such as 'Fin'");
            }

            Expect(TokenKind.CloseParen, "')'");
            Func<Context, object?> read = subject.Read;
            string wanted = value.Value;
            return name.Is("startswith")
                ? c => read(c) is string s && s.StartsWith(wanted, StringComparison.OrdinalIgnoreCase)
                : c => read(c) is string s && s.EndsWith(wanted, StringComparison.OrdinalIgnoreCase);
        }

        // groupTypes/any(t:t eq 'Unified'): the only collection a group filter can name.
        private Func<Context, bool> ParseAny()
        {
            Token collection = Take();
            Property property = Resolve(collection);
            if (property.Type != PropertyType.TextList)
            {
                throw Syntax(collection.Column, $"{property.Name} is not a collection; only groupTypes takes '/any(…)'", "a comparison such as " + property.Name + " eq …");
            }

            Take();
            Token any = Take();
            if (!any.Is("any"))
            {
                throw Syntax(any, "'any' after 'groupTypes/'" + (any.Is("all") ? " ('all' is not supported)" : string.Empty));
            }

            Expect(TokenKind.OpenParen, "'('");
            Token variable = Take();
            if (variable.Kind != TokenKind.Identifier || Properties.ContainsKey(variable.Value))
            {
                throw Syntax(variable, "a range variable name such as t, as in groupTypes/any(t:t eq 'Unified')");
            }

            Expect(TokenKind.Colon, "':' after the range variable, as in groupTypes/any(t:t eq 'Unified')");
            string? outer = _rangeVariable;
            _rangeVariable = variable.Value;
            Enter(variable);
            Func<Context, bool> body = ParseExpression();
            _depth--;
            _rangeVariable = outer;
            Expect(TokenKind.CloseParen, "')' closing any(…)");
            Func<SnapshotGroup, object?> read = property.Read;
            return c => ((IReadOnlyList<string>)read(c.Group)!).Any(element => body(c with { Element = element }));
        }

        private Operand ParseOperand()
        {
            Token token = Take();
            switch (token.Kind)
            {
                case TokenKind.String:
                    string text = token.Value;
                    return new Operand(PropertyType.Text, _ => text, token.Describe(), token.Column);
                case TokenKind.Identifier when token.Is("true") || token.Is("false"):
                    bool value = token.Is("true");
                    return new Operand(PropertyType.Boolean, _ => value, token.Value.ToLowerInvariant(), token.Column);
                case TokenKind.Identifier when token.Is("null"):
                    return new Operand(PropertyType.Text, _ => null, "null", token.Column);
                case TokenKind.Identifier when _rangeVariable is not null && string.Equals(token.Value, _rangeVariable, StringComparison.Ordinal):
                    return new Operand(PropertyType.Text, c => c.Element, token.Value, token.Column);
                case TokenKind.Identifier:
                    Property property = Resolve(token);
                    if (property.Type == PropertyType.TextList)
                    {
                        throw Syntax(token.Column, $"{property.Name} is a collection; test it with {property.Name}/any(t:t eq 'Unified')", "groupTypes/any(…)");
                    }

                    Func<SnapshotGroup, object?> read = property.Read;
                    return new Operand(property.Type, c => read(c.Group), property.Name, token.Column);
                default:
                    throw Syntax(token, "a property name, a quoted string, true, false or null");
            }
        }

        private static Property Resolve(Token token)
        {
            if (Properties.TryGetValue(token.Value, out Property? property))
            {
                return property;
            }

            throw new IsmsException("IsmsOps.GroupFilter.UnknownProperty", IsmsErrorKind.InvalidArgument,
                $"The group filter names '{token.Value}' at column {token.Column}, which is not a group property it can test.",
                $"Use one of {string.Join(", ", KnownProperties)}.", token.Value);
        }

        // Text compares with text or null, a boolean with true or false: anything else is a mistake worth naming.
        private void Check(Operand left, Operand right)
        {
            if (left.Type == right.Type)
            {
                return;
            }

            Operand literal = IsLiteral(right) ? right : left;
            Operand other = ReferenceEquals(literal, right) ? left : right;
            string expected = other.Type == PropertyType.Boolean ? "true or false" : "a quoted string or null";
            throw Syntax(literal.Column, $"{other.Name} is {(other.Type == PropertyType.Boolean ? "true or false" : "text")}, but it is compared with {literal.Name}", expected);
        }

        private static bool IsLiteral(Operand operand) =>
            operand.Name.StartsWith("the string", StringComparison.Ordinal) || operand.Name is "true" or "false" or "null";

        private Token Expect(TokenKind kind, string what)
        {
            Token token = Take();
            return token.Kind == kind ? token : throw Syntax(token, what);
        }

        private void Enter(Token token)
        {
            if (++_depth > MaxDepth)
            {
                throw Syntax(token.Column, string.Create(CultureInfo.InvariantCulture, $"found more than {MaxDepth} nested parentheses, 'not' or any(…)"),
                    string.Create(CultureInfo.InvariantCulture, $"a filter nested at most {MaxDepth} deep"));
            }
        }

        private IsmsException Syntax(Token found, string expected) => Syntax(found.Column, $"found {found.Describe()}", expected);

        private IsmsException Syntax(int column, string found, string expected) =>
            new("IsmsOps.GroupFilter.Syntax", IsmsErrorKind.InvalidArgument,
                string.Create(CultureInfo.InvariantCulture, $"The group filter is not valid at column {column}: expected {expected}; {found}.\n  {_text}\n  {new string(' ', Math.Max(0, column - 1))}^"),
                "Write the filter as Graph takes it for groups, e.g. \"startswith(displayName,'Finance') and securityEnabled eq true\"; "
                + "quote strings with ' and double a ' inside one ('O''Brien').", _text);

        private List<Token> Tokenize(string text)
        {
            var tokens = new List<Token>();
            int i = 0;
            while (i < text.Length)
            {
                char c = text[i];
                int column = i + 1;
                if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (c == '\'')
                {
                    var value = new StringBuilder();
                    i++;
                    while (true)
                    {
                        if (i >= text.Length)
                        {
                            throw Syntax(column, "the string that starts there has no closing quote", "a closing ' (a ' inside a string is written '')");
                        }

                        if (text[i] == '\'')
                        {
                            if (i + 1 < text.Length && text[i + 1] == '\'')
                            {
                                value.Append('\'');
                                i += 2;
                                continue;
                            }

                            i++;
                            break;
                        }

                        value.Append(text[i++]);
                    }

                    tokens.Add(new Token(TokenKind.String, value.ToString(), column));
                }
                else if (char.IsLetter(c) || c == '_')
                {
                    int start = i;
                    while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                    {
                        i++;
                    }

                    tokens.Add(new Token(TokenKind.Identifier, text[start..i], column));
                }
                else
                {
                    TokenKind? kind = c switch
                    {
                        '(' => TokenKind.OpenParen,
                        ')' => TokenKind.CloseParen,
                        ',' => TokenKind.Comma,
                        '/' => TokenKind.Slash,
                        ':' => TokenKind.Colon,
                        _ => null,
                    };
                    if (kind is null)
                    {
                        throw Syntax(column, $"found '{c}'" + (c == '"' ? " (strings are quoted with ', not \")" : string.Empty),
                            "a property name, a quoted string, '(', ')', or an operator such as eq, ne, and, or, not");
                    }

                    tokens.Add(new Token(kind.Value, c.ToString(), column));
                    i++;
                }
            }

            tokens.Add(new Token(TokenKind.End, string.Empty, text.Length + 1));
            return tokens;
        }
    }

    private static bool Same(object? left, object? right) => (left, right) switch
    {
        (null, null) => true,
        (string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase),
        (bool a, bool b) => a == b,
        _ => false,
    };
}
