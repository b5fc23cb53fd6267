using System.Management.Automation.Host;

namespace IsmsOps.Host;

/// <summary>
/// The little of a console's raw UI a line-based host can honour. Tables are formatted to <see cref="BufferSize"/>:
/// the terminal's width, or 120 columns when output goes to a file or a pipe.
/// </summary>
internal sealed class IsmsHostRawUserInterface : PSHostRawUserInterface
{
    private const int RedirectedWidth = 120;
    private const int RedirectedHeight = 50;

    /// <inheritdoc />
    public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;

    /// <inheritdoc />
    public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;

    /// <inheritdoc />
    public override Size BufferSize
    {
        get => new(TerminalWidth() ?? RedirectedWidth, short.MaxValue);
        set { }
    }

    /// <summary>Always the origin: asking a terminal where its cursor is would read stdin, which scripts own.</summary>
    public override Coordinates CursorPosition
    {
        get => new(0, 0);
        set { }
    }

    /// <inheritdoc />
    public override int CursorSize { get; set; } = 25;

    /// <inheritdoc />
    public override bool KeyAvailable => !Console.IsInputRedirected && Console.KeyAvailable;

    /// <inheritdoc />
    public override Size MaxPhysicalWindowSize => WindowSize;

    /// <inheritdoc />
    public override Size MaxWindowSize => WindowSize;

    /// <inheritdoc />
    public override Coordinates WindowPosition
    {
        get => new(0, 0);
        set { }
    }

    /// <inheritdoc />
    public override Size WindowSize
    {
        get => new(TerminalWidth() ?? RedirectedWidth, TerminalHeight() ?? RedirectedHeight);
        set { }
    }

    /// <inheritdoc />
    public override string WindowTitle { get; set; } = "isms";

    /// <inheritdoc />
    public override void FlushInputBuffer()
    {
    }

    /// <inheritdoc />
    public override KeyInfo ReadKey(ReadKeyOptions options)
    {
        if (Console.IsInputRedirected)
        {
            int read = Console.In.Read();
            char c = read < 0 ? '\0' : (char)read;
            return new KeyInfo(0, c, default, keyDown: true);
        }

        ConsoleKeyInfo key = Console.ReadKey(intercept: (options & ReadKeyOptions.NoEcho) != 0);
        return new KeyInfo((int)key.Key, key.KeyChar, default, keyDown: true);
    }

    /// <inheritdoc />
    public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw NoBuffer();

    /// <inheritdoc />
    public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) => throw NoBuffer();

    /// <inheritdoc />
    public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) => throw NoBuffer();

    /// <inheritdoc />
    public override void SetBufferContents(Rectangle rectangle, BufferCell fill) => throw NoBuffer();

    private static NotSupportedException NoBuffer() => new("isms writes lines; it has no screen buffer to read or change.");

    private static int? TerminalWidth()
    {
        if (Console.IsOutputRedirected)
        {
            return null;
        }

        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static int? TerminalHeight()
    {
        if (Console.IsOutputRedirected)
        {
            return null;
        }

        try
        {
            return Console.WindowHeight > 0 ? Console.WindowHeight : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
