using System.Diagnostics;
using System.Text;

namespace IsmsOps.Engine.Tests.Browser;

/// <summary>
/// Renders a local HTML file in a real headless Chromium, for tests of the HTML reports: the DOM as the browser built
/// it (so markup that only looks right in the source is caught), or a screenshot. Chromium missing is a failure, never
/// a skip: the reports are evidence, and an untested page is not. Debian: <c>apt-get install -y chromium</c> (.ci/run
/// does it).
/// </summary>
internal static class HeadlessChromium
{
    private static readonly string[] Candidates = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

    private static readonly Lazy<string> Executable = new(Find);

    /// <summary>The DOM Chromium built from <paramref name="htmlFile"/>, serialized (what <c>--dump-dom</c> prints).</summary>
    public static string DumpDom(string htmlFile) => Encoding.UTF8.GetString(Run(htmlFile, "--dump-dom", captureOutput: true));

    /// <summary>A PNG of <paramref name="htmlFile"/> rendered in a <paramref name="width"/> by <paramref name="height"/> window.</summary>
    public static byte[] Screenshot(string htmlFile, int width = 1280, int height = 1600)
    {
        string png = Path.Combine(Path.GetTempPath(), $"ismsops-shot-{Guid.NewGuid():N}.png");
        try
        {
            Run(htmlFile, $"--screenshot={png} --window-size={width},{height} --hide-scrollbars", captureOutput: false);
            return File.Exists(png) ? File.ReadAllBytes(png) : throw new InvalidOperationException($"Chromium wrote no screenshot of {htmlFile}.");
        }
        finally
        {
            File.Delete(png);
        }
    }

    private static byte[] Run(string htmlFile, string action, bool captureOutput)
    {
        string profile = Directory.CreateTempSubdirectory("ismsops-chromium-").FullName;
        try
        {
            var start = new ProcessStartInfo(Executable.Value)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            // --no-sandbox: tests run as root in containers. A profile of its own lets tests run side by side.
            foreach (string argument in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                         "--disable-dev-shm-usage", $"--user-data-dir={profile}" }.Concat(action.Split(' ')))
            {
                start.ArgumentList.Add(argument);
            }

            start.ArgumentList.Add(new Uri(Path.GetFullPath(htmlFile)).AbsoluteUri);
            using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Chromium ({Executable.Value}) did not start.");
            var output = new MemoryStream();
            Task copy = process.StandardOutput.BaseStream.CopyToAsync(output);
            Task<string> errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"Chromium did not finish rendering {htmlFile} within 120 s.");
            }

            copy.Wait();
            if (process.ExitCode != 0 || (captureOutput && output.Length == 0))
            {
                throw new InvalidOperationException($"Chromium exited with {process.ExitCode} rendering {htmlFile}: {errors.Result}");
            }

            return output.ToArray();
        }
        finally
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string Find()
    {
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string name in Candidates)
            {
                string path = Path.Combine(folder, name);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }

        throw new InvalidOperationException(
            "Headless Chromium is needed to test the HTML reports and is not installed (looked for " + string.Join(", ", Candidates) +
            " on PATH). Install it: apt-get install -y chromium (.ci/run does this on a fresh machine).");
    }
}
