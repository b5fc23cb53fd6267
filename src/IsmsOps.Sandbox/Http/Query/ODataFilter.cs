using System.Text;

namespace IsmsOps.Sandbox.Http.Query;

/// <summary>A $filter the sandbox cannot serve; <see cref="Code"/> is the Graph error code to answer with.</summary>
internal sealed class FilterException(string code, string message) : Exception(message)
{
    /// <summary>BadRequest for syntax Graph would not parse either; Request_UnsupportedQuery for what it would but the sandbox does not.</summary>
    public string Code { get; } = code;
}

/// <summary>
/// The part of OData $filter that IsmsOps sends: <c>prop eq 'v'</c> (also true, false, null), <c>prop in ('a','b')</c>,
/// <c>startswith(prop,'v')</c>, parentheses, and <c>and</c>. Anything else is refused by name rather than ignored, since a
/// client that believes it filtered would act on the wrong objects.
/// </summary>
internal abstract record ODataFilter
{
    private static readonly HashSet<string> UnsupportedOperators = new(StringComparer.OrdinalIgnoreCase)
    {
        "or", "not", "ne", "gt", "ge", "lt", "le", "has", "endswith", "contains", "any", "all",
    };

    /// <summary>The most values Graph takes in one <c>in (…)</c> without advanced queries.</summary>
    public const int MaximumInValues = 15;

    private ODataFilter() { }

    /// <summary>prop eq value, where value is a string, a boolean or null.</summary>
    public sealed record Equal(string Property, object? Value) : ODataFilter;

    public sealed record In(string Property, IReadOnlyList<string> Values) : ODataFilter;

    public sealed record StartsWith(string Property, string Prefix) : ODataFilter;

    public sealed record And(ODataFilter Left, ODataFilter Right) : ODataFilter;

    /// <summary>Parses a $filter value; throws <see cref="FilterException"/> naming what it could not take.</summary>
    public static ODataFilter Parse(string text)
    {
        var parser = new Parser(text);
        ODataFilter filter = parser.ParseAnd();
        parser.ExpectEnd();
        return filter;
    }

    /// <summary>
    /// Binds the filter to a resource's filterable properties. Directory string comparisons are case-insensitive in
    /// Graph, so they are here too.
    /// </summary>
    public Func<T, bool> Bind<T>(IGraphShape<T> shape)
    {
        switch (this)
        {
            case And and:
                Func<T, bool> left = and.Left.Bind(shape), right = and.Right.Bind(shape);
                return item => left(item) && right(item);
            case Equal equal:
                var read = Reader(shape, equal.Property, equal.Value);
                return item => Same(read(item), equal.Value);
            case In any:
                var readIn = Reader(shape, any.Property, any.Values[0]);
                return item =>
                {
                    object? actual = readIn(item);
                    return any.Values.Any(v => Same(actual, v));
                };
            case StartsWith starts:
                var readStart = Reader(shape, starts.Property, starts.Prefix);
                return item => readStart(item) is string s && s.StartsWith(starts.Prefix, StringComparison.OrdinalIgnoreCase);
            default:
                throw new InvalidOperationException("Unknown filter node.");
        }
    }

    private static Func<T, object?> Reader<T>(IGraphShape<T> shape, string property, object? sample)
    {
        string resource = shape.GraphTypeName[(shape.GraphTypeName.LastIndexOf('.') + 1)..];
        FilterProperty<T> filterable = shape.FilterValue(property) ?? throw new FilterException("Request_UnsupportedQuery",
            $"Unsupported or invalid query filter clause specified for property '{property}' of resource '{resource}'.");

        // A boolean property compared with a string (or the reverse) is a type error in Graph, not a silent false.
        if (sample is not null && (sample is bool) != filterable.IsBoolean)
        {
            throw new FilterException("BadRequest",
                $"Invalid filter clause: the {(filterable.IsBoolean ? "Boolean" : "String")} property '{property}' cannot be compared with {(sample is bool ? "a Boolean" : "a String")} value.");
        }

        return filterable.Read;
    }

    private static bool Same(object? actual, object? expected) => (actual, expected) switch
    {
        (null, null) => true,
        (string a, string e) => string.Equals(a, e, StringComparison.OrdinalIgnoreCase),
        (bool a, bool e) => a == e,
        _ => false,
    };

    private enum TokenKind { Name, String, OpenParen, CloseParen, Comma, End }

    private readonly record struct Token(TokenKind Kind, string Text, int Position);

    private sealed class Parser
    {
        private readonly string _text;
        private readonly List<Token> _tokens;
        private int _next;

        public Parser(string text)
        {
            _text = text;
            _tokens = Tokenize(text);
        }

        public ODataFilter ParseAnd()
        {
            ODataFilter left = ParseTerm();
            while (IsName(Peek(), "and"))
            {
                _next++;
                left = new And(left, ParseTerm());
            }

            return left;
        }

        public void ExpectEnd()
        {
            Token token = Peek();
            if (token.Kind == TokenKind.End)
            {
                return;
            }

            if (token.Kind == TokenKind.Name && UnsupportedOperators.Contains(token.Text))
            {
                throw Unsupported(token.Text);
            }

            throw Syntax(token, $"unexpected '{token.Text}'");
        }

        private ODataFilter ParseTerm()
        {
            Token token = Take();
            if (token.Kind == TokenKind.OpenParen)
            {
                ODataFilter inner = ParseAnd();
                Expect(TokenKind.CloseParen, "')'");
                return inner;
            }

            if (token.Kind != TokenKind.Name)
            {
                throw Syntax(token, "expected a property name or startswith(...)");
            }

            if (Peek().Kind == TokenKind.OpenParen)
            {
                if (!token.Text.Equals("startswith", StringComparison.OrdinalIgnoreCase))
                {
                    throw Unsupported(token.Text + "()");
                }

                _next++;
                string property = Expect(TokenKind.Name, "a property name").Text;
                Expect(TokenKind.Comma, "','");
                string prefix = Expect(TokenKind.String, "a quoted string").Text;
                Expect(TokenKind.CloseParen, "')'");
                return new StartsWith(property, prefix);
            }

            if (UnsupportedOperators.Contains(token.Text))
            {
                throw Unsupported(token.Text);
            }

            Token op = Take();
            if (IsName(op, "eq"))
            {
                return new Equal(token.Text, ParseValue());
            }

            if (IsName(op, "in"))
            {
                Expect(TokenKind.OpenParen, "'('");
                var values = new List<string> { Expect(TokenKind.String, "a quoted string").Text };
                while (Peek().Kind == TokenKind.Comma)
                {
                    _next++;
                    values.Add(Expect(TokenKind.String, "a quoted string").Text);
                }

                Expect(TokenKind.CloseParen, "')'");
                if (values.Count > MaximumInValues)
                {
                    // Graph's own limit on the default (not advanced) query path.
                    throw new FilterException("Request_UnsupportedQuery",
                        $"Too many child clauses specified in search filter expression containing 'OR' operators: {values.Count}. Max allowed: {MaximumInValues}.");
                }

                return new In(token.Text, values);
            }

            if (op.Kind == TokenKind.Name && UnsupportedOperators.Contains(op.Text))
            {
                throw Unsupported(op.Text);
            }

            throw Syntax(op, $"expected eq or in after '{token.Text}'");
        }

        private object? ParseValue()
        {
            Token value = Take();
            return value switch
            {
                { Kind: TokenKind.String } => value.Text,
                { Kind: TokenKind.Name } when value.Text.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
                { Kind: TokenKind.Name } when value.Text.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
                { Kind: TokenKind.Name } when value.Text.Equals("null", StringComparison.OrdinalIgnoreCase) => null,
                _ => throw Syntax(value, "expected a quoted string, true, false or null"),
            };
        }

        private Token Peek() => _tokens[_next];

        private Token Take() => _tokens[Math.Min(_next++, _tokens.Count - 1)];

        private Token Expect(TokenKind kind, string what)
        {
            Token token = Take();
            return token.Kind == kind ? token : throw Syntax(token, $"expected {what}");
        }

        private static bool IsName(Token token, string name) =>
            token.Kind == TokenKind.Name && token.Text.Equals(name, StringComparison.OrdinalIgnoreCase);

        private FilterException Syntax(Token token, string problem) =>
            new("BadRequest", $"Invalid filter clause: {problem} at position {token.Position} in '{_text}'.");

        private static FilterException Unsupported(string what) =>
            new("Request_UnsupportedQuery", $"The sandbox's $filter supports eq, in, startswith() and 'and'; '{what}' is not supported.");

        private static List<Token> Tokenize(string text)
        {
            var tokens = new List<Token>();
            int i = 0;
            while (i < text.Length)
            {
                char c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (c is '(' or ')' or ',')
                {
                    tokens.Add(new Token(c switch { '(' => TokenKind.OpenParen, ')' => TokenKind.CloseParen, _ => TokenKind.Comma }, c.ToString(), i));
                    i++;
                }
                else if (c == '\'')
                {
                    // OData doubles a quote inside a string: 'O''Brien' is O'Brien.
                    int start = i++;
                    var value = new StringBuilder();
                    while (true)
                    {
                        if (i >= text.Length)
                        {
                            throw new FilterException("BadRequest", $"Invalid filter clause: unterminated string starting at position {start} in '{text}'.");
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

                    tokens.Add(new Token(TokenKind.String, value.ToString(), start));
                }
                else if (char.IsLetterOrDigit(c) || c is '_' or '/' or '.' or '-' or '@' or '$')
                {
                    int start = i;
                    while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '/' or '.' or '-' or '@' or '$'))
                    {
                        i++;
                    }

                    tokens.Add(new Token(TokenKind.Name, text[start..i], start));
                }
                else
                {
                    throw new FilterException("BadRequest", $"Invalid filter clause: unexpected '{c}' at position {i} in '{text}'.");
                }
            }

            tokens.Add(new Token(TokenKind.End, "end of filter", text.Length));
            return tokens;
        }
    }
}
