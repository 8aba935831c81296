using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace PhotoStudio.Features.Notifications;

/// <summary>SMTP settings from configuration (<c>Smtp__Host</c>, <c>Smtp__Port</c>, <c>Smtp__Security</c>, <c>Smtp__User</c>, <c>Smtp__Password</c>).</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    /// <summary>None, Auto, StartTls, StartTlsWhenAvailable or SslOnConnect (MailKit's SecureSocketOptions).</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTls;
    public string? User { get; set; }
    public string? Password { get; set; }
    public int TimeoutSeconds { get; set; } = 30;
}

/// <summary>
/// The server could not be reached or stopped talking: no message was at fault, so none is charged an attempt; the
/// sweep stops and tries again at the next one.
/// </summary>
public sealed class MailServerUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>Where messages go: an SMTP server, or in Development a folder of .eml files.</summary>
public interface IMailTransport
{
    /// <summary>What the admin page shows as the destination ("smtp.example.com:587", "the folder .data/mail").</summary>
    string Describe();

    Task<IMailSession> OpenAsync(CancellationToken ct);
}

/// <summary>One connection, used for a sweep's messages one after another.</summary>
public interface IMailSession : IAsyncDisposable
{
    /// <summary>
    /// Sends <paramref name="message"/>, calling <paramref name="commitPoint"/> once at the last moment before the
    /// message can no longer be taken back (for SMTP: with the whole body written, before the final "."). The caller
    /// commits "sent" there: a crash before it leaves the message unsent and unrecorded (sent again later, once); a
    /// crash after it can only lose the one message in flight, never send it twice. When the transport cannot offer
    /// that moment, it calls <paramref name="commitPoint"/> after the server accepted the message.
    /// </summary>
    /// <exception cref="MailServerUnavailableException">The server is down or the connection broke.</exception>
    Task SendAsync(MimeMessage message, Action commitPoint, CancellationToken ct);
}

/// <summary>Sends through an SMTP server with MailKit.</summary>
public sealed class SmtpMailTransport(SmtpOptions options) : IMailTransport
{
    public string Describe() => $"{options.Host}:{options.Port}";

    public async Task<IMailSession> OpenAsync(CancellationToken ct)
    {
        var client = new SmtpClient { Timeout = options.TimeoutSeconds * 1000 };
        try
        {
            await client.ConnectAsync(options.Host ?? "", options.Port, options.Security, ct);
            if (!string.IsNullOrEmpty(options.User)) await client.AuthenticateAsync(options.User, options.Password ?? "", ct);
            return new Session(client, Describe());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            client.Dispose();
            throw new MailServerUnavailableException($"Could not connect to the mail server {Describe()}: {e.Message}", e);
        }
    }

    private sealed class Session(SmtpClient client, string server) : IMailSession
    {
        public async Task SendAsync(MimeMessage message, Action commitPoint, CancellationToken ct)
        {
            var progress = new BeforeFinalDot(commitPoint);
            try
            {
                await client.SendAsync(FormatOptions.Default, message, ct, progress);
            }
            catch (Exception e) when (e is System.IO.IOException or System.Net.Sockets.SocketException or SmtpProtocolException
                                          or ServiceNotConnectedException or TimeoutException)
            {
                throw new MailServerUnavailableException($"The connection to the mail server {server} failed: {e.Message}", e);
            }
            // MailKit reports progress as the body is written; a server that took the message without our seeing
            // the whole body counted (it should not happen) is still recorded, after the fact.
            progress.Reach();
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (client.IsConnected) await client.DisconnectAsync(true, CancellationToken.None);
            }
            catch (Exception e) when (e is System.IO.IOException or System.Net.Sockets.SocketException or SmtpProtocolException)
            {
                // The messages are recorded already; a QUIT that fails changes nothing.
            }
            client.Dispose();
        }
    }

    /// <summary>
    /// MailKit writes the DATA body, then ".", then waits for the server's answer; the server takes the message only
    /// on ".". Progress reports come as the body is written, so the report that completes it is the moment just
    /// before the final "." is sent.
    /// </summary>
    private sealed class BeforeFinalDot(Action commitPoint) : ITransferProgress
    {
        private bool reached;

        public void Reach()
        {
            if (reached) return;
            reached = true;
            commitPoint();
        }

        public void Report(long bytesTransferred, long totalSize)
        {
            if (bytesTransferred >= totalSize) Reach();
        }

        public void Report(long bytesTransferred) { }
    }
}

/// <summary>
/// Development without SMTP: each message becomes an .eml file in a folder (<c>.data/mail/</c> under ./ops/run), which
/// any mail program opens and the notification log lists. Written to a temporary name, committed, then renamed:
/// the same crash guarantees as SMTP.
/// </summary>
public sealed class PickupMailTransport(string folder) : IMailTransport
{
    public string Folder => folder;

    public string Describe() => $"the folder {folder}";

    public Task<IMailSession> OpenAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        return Task.FromResult<IMailSession>(new Session(folder));
    }

    /// <summary>The file name a message gets: its Message-ID, made safe for a file system.</summary>
    public static string FileName(string messageId) =>
        string.Concat(messageId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_')) + ".eml";

    private sealed class Session(string folder) : IMailSession
    {
        public async Task SendAsync(MimeMessage message, Action commitPoint, CancellationToken ct)
        {
            var path = Path.Combine(folder, FileName(message.MessageId ?? Guid.NewGuid().ToString("N")));
            var temporary = path + ".tmp";
            await message.WriteToAsync(temporary, ct);
            commitPoint();
            File.Move(temporary, path, overwrite: true);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>No mail server configured outside Development: the outbox keeps everything, and the admin page says why.</summary>
public sealed class UnconfiguredMailTransport : IMailTransport
{
    public string Describe() => "no mail server (set Smtp__Host)";

    public Task<IMailSession> OpenAsync(CancellationToken ct) => throw new MailServerUnavailableException(
        "No mail server is configured: set Smtp__Host (and Smtp__Port, Smtp__Security, Smtp__User, Smtp__Password).",
        new InvalidOperationException("Smtp:Host is empty"));
}

public static class MailTransports
{
    /// <summary>
    /// SMTP when <c>Smtp:Host</c> is set; otherwise in Development the .eml folder (<c>Mail:PickupDirectory</c>, by
    /// default .data/mail/ in the repository, where ./ops/run keeps its data); otherwise nothing is sent.
    /// </summary>
    public static IServiceCollection AddStudioMail(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var smtp = configuration.GetSection("Smtp").Get<SmtpOptions>() ?? new SmtpOptions();
        var pickup = configuration["Mail:PickupDirectory"];
        IMailTransport transport = !string.IsNullOrWhiteSpace(smtp.Host) ? new SmtpMailTransport(smtp)
            : !string.IsNullOrWhiteSpace(pickup) ? new PickupMailTransport(Path.GetFullPath(pickup))
            : environment.IsDevelopment() ? new PickupMailTransport(Path.GetFullPath(Path.Combine(environment.ContentRootPath, "..", ".data", "mail")))
            : new UnconfiguredMailTransport();
        services.AddSingleton(transport);
        return services;
    }
}
