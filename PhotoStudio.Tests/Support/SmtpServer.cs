using System.Diagnostics;
using System.Net.Sockets;
using MimeKit;

namespace PhotoStudio.Tests.Support;

/// <summary>
/// A real SMTP server (Debian's python3-aiosmtpd with <c>smtp_sink.py</c>) on a free loopback port, keeping what it
/// accepts in a Maildir that the tests read back with MimeKit. It can be stopped and started again on the same
/// port, as a mail server that goes away for a while. Recipients starting with "reject" are refused (550).
/// </summary>
public sealed class SmtpServer : IAsyncDisposable
{
    private Process? process;
    private readonly int delayMilliseconds;

    /// <param name="delayMilliseconds">How long the server dwells on each message before RCPT's and DATA's answers (smtp_sink.py says why).</param>
    public SmtpServer(int delayMilliseconds = 0)
    {
        this.delayMilliseconds = delayMilliseconds;
        Port = FreePort();
        Maildir = Path.Combine(Path.GetTempPath(), $"photostudio-smtp-{Environment.ProcessId}-{Guid.NewGuid():N}");
    }

    public int Port { get; }
    public string Maildir { get; }

    /// <summary>The app's configuration for this server (<c>Smtp:Host</c> …), to pass as settings.</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Smtp:Security"] = "None",
        ["Smtp:TimeoutSeconds"] = "10",
    };

    /// <summary>The same settings as environment variables (<c>Smtp__Host</c> …), for an <see cref="AppProcess"/>.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentSettings =>
        Settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);

    public static async Task<SmtpServer> StartAsync(int delayMilliseconds = 0)
    {
        var server = new SmtpServer(delayMilliseconds);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again, after <see cref="StopAsync"/>) and waits until it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo(Python.Executable, ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "smtp_sink.Sink", Maildir,
            delayMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["PYTHONPATH"] = Path.Combine(TestDatabase.RepositoryRoot, "PhotoStudio.Tests", "Support");
        process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        await Wait.UntilAsync(AcceptsAsync, $"the SMTP server to listen on port {Port}", TimeSpan.FromSeconds(20));
    }

    private async Task<bool> AcceptsAsync()
    {
        if (process!.HasExited) throw new InvalidOperationException($"aiosmtpd exited with {process.ExitCode}: is python3-aiosmtpd installed?");
        try
        {
            using var probe = new TcpClient();
            await probe.ConnectAsync("127.0.0.1", Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Stops the server: connections are refused until <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (process is null || process.HasExited) return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>How many messages were received so far, without reading them (cheap enough to poll closely).</summary>
    public int Count()
    {
        var folder = Path.Combine(Maildir, "new");
        return Directory.Exists(folder) ? Directory.GetFiles(folder).Length : 0;
    }

    /// <summary>Every message received so far.</summary>
    public IReadOnlyList<MimeMessage> Messages()
    {
        var messages = new List<MimeMessage>();
        var folder = Path.Combine(Maildir, "new");
        if (!Directory.Exists(folder)) return messages;
        foreach (var file in Directory.GetFiles(folder).Order())
            messages.Add(MimeMessage.Load(file));
        return messages;
    }

    /// <summary>Waits until at least <paramref name="count"/> messages arrived (or the timeout passes) and returns them all.</summary>
    public Task<List<MimeMessage>> WaitForAsync(int count, TimeSpan? timeout = null, Func<MimeMessage, bool>? where = null) =>
        Wait.LastReadingAsync(() => Task.FromResult(Messages().Where(where ?? (_ => true)).ToList()), m => m.Count >= count, timeout, 100);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        process?.Dispose();
        try { Directory.Delete(Maildir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
