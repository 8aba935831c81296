using System.Diagnostics;

namespace PhotoStudio.Tests.Support;

/// <summary>Debian's python3 (or <c>PHOTOSTUDIO_PYTHON</c>), for the checks other programs make of what the app writes (python3-icalendar).</summary>
public static class Python
{
    public static string Executable => Environment.GetEnvironmentVariable("PHOTOSTUDIO_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";

    /// <summary>Runs <paramref name="script"/> with <paramref name="input"/> on its standard input; its output lines, or a failed assertion with its errors.</summary>
    public static async Task<string[]> RunAsync(string script, string input)
    {
        var start = new ProcessStartInfo(Executable, ["-c", script])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        start.Environment["PYTHONIOENCODING"] = "utf-8";
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await error);
        return (await output).Split('\n');
    }
}
