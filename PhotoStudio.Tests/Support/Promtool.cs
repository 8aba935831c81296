using System.Diagnostics;

namespace PhotoStudio.Tests.Support;

/// <summary>Prometheus's own linter (<c>promtool check metrics</c>, Debian's prometheus package) over a scrape.</summary>
public static class Promtool
{
    public static async Task AssertLintCleanAsync(string metrics)
    {
        var promtool = Environment.GetEnvironmentVariable("PHOTOSTUDIO_PROMTOOL") is { Length: > 0 } p ? p : "promtool";
        var psi = new ProcessStartInfo(promtool, ["check", "metrics"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        await process.StandardInput.WriteAsync(metrics);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, "promtool check metrics:\n" + output);
    }
}
