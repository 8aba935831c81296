using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PhotoStudio.Data;
using PhotoStudio.Features.Api;

namespace PhotoStudio.Features.Admin.Integrations;

/// <summary>
/// Sends due webhook deliveries. Each is claimed in its own transaction with <c>FOR UPDATE SKIP LOCKED</c> and stays
/// locked while it is posted, so instances sweeping at once never send one delivery twice; a process that dies
/// mid-post leaves it pending and it is sent again (receivers tell repeats by the event id). A 2xx answer delivers it;
/// anything else (or no answer in time) is retried with back-off; an endpoint that has failed for a whole day
/// (<see cref="WebhookOptions.DisableAfterHours"/>) is switched off and shown as such to the admins.
/// </summary>
/// <remarks>
/// The request: <c>POST</c> with a JSON body <c>{"id":"evt_…","type":…,"occurredAt":…,"data":{…}}</c> (data is the
/// booking or client as the API shows it when sent; an erased client is only its id) and the headers
/// <c>PhotoStudio-Event-Id</c>, <c>PhotoStudio-Timestamp</c> (Unix seconds) and
/// <c>PhotoStudio-Signature: sha256=</c> the lowercase hex HMAC-SHA256 of <c>{timestamp}.{body}</c> keyed with the
/// endpoint's secret. A receiver recomputes it, compares in constant time, and refuses a timestamp more than five
/// minutes old (a replay).
/// </remarks>
public sealed class WebhookSender(IServiceScopeFactory scopes, WebhookTargets targets, Features.Notifications.IMailTransport mail, TimeProvider clock,
    IOptions<WebhookOptions> options, ILogger<WebhookSender> log) : IDisposable
{
    public const string EventIdHeader = "PhotoStudio-Event-Id";
    public const string TimestampHeader = "PhotoStudio-Timestamp";
    public const string SignatureHeader = "PhotoStudio-Signature";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient http = new(targets.Handler()) { Timeout = TimeSpan.FromSeconds(options.Value.TimeoutSeconds) };

    /// <summary>The signature header's value for this body at this time.</summary>
    public static string Sign(string secret, long timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret),
            Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body)));

    /// <summary>How long events (with their deliveries) and idempotency keys are kept once nothing is pending.</summary>
    public static readonly TimeSpan Kept = TimeSpan.FromDays(30);

    /// <summary>Sends what is due, at most <paramref name="batch"/> deliveries; returns how many were delivered.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct, int batch = 200)
    {
        await ForgetOldAsync(ct);
        var delivered = 0;
        var switchedOff = new List<(string Url, string Reason)>();
        for (var i = 0; i < batch && !ct.IsCancellationRequested; i++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StudioDb>();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = clock.GetUtcNow().UtcDateTime;
            var delivery = await db.WebhookDeliveries
                .FromSql($"""
                    SELECT d.* FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                    WHERE d.status = 'Pending' AND d.next_attempt_at <= {now} AND e.enabled
                    ORDER BY d.next_attempt_at, d.id LIMIT 1 FOR UPDATE OF d SKIP LOCKED
                    """)
                .Include(d => d.Event).Include(d => d.Endpoint).SingleOrDefaultAsync(ct);
            if (delivery is null) break;

            var endpoint = delivery.Endpoint!;
            var body = await BodyAsync(scope.ServiceProvider, delivery.Event!, ct);
            var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
            var secret = scope.ServiceProvider.GetRequiredService<Webhooks>().Unseal(endpoint.SecretSealed);
            delivery.Attempts++;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Add(EventIdHeader, EventId(delivery.EventId));
                request.Headers.Add(TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
                request.Headers.Add(SignatureHeader, Sign(secret, timestamp, body));
                request.Headers.UserAgent.ParseAdd("PhotoStudio-Webhooks/1");
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                delivery.LastStatusCode = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    delivery.Status = WebhookDeliveryStatus.Delivered;
                    delivery.DeliveredAt = clock.GetUtcNow().UtcDateTime;
                    delivery.LastError = "";
                    endpoint.FailingSince = null;
                    delivered++;
                }
                else Failed(delivery, endpoint, now, $"The endpoint answered {(int)response.StatusCode}.", switchedOff);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                delivery.LastStatusCode = null;
                Failed(delivery, endpoint, now, e is TaskCanceledException
                    ? $"No answer within {options.Value.TimeoutSeconds} s."
                    : Truncate(e.InnerException?.Message ?? e.Message, 500), switchedOff);
            }
            await db.SaveChangesAsync(CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
        }
        foreach (var (url, reason) in switchedOff) await TellAdminsAsync(url, reason, ct);
        return delivered;
    }

    /// <summary>Events whose deliveries are all done and older than <see cref="Kept"/>, and idempotency keys as old.</summary>
    private async Task ForgetOldAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDb>();
        var before = clock.GetUtcNow().UtcDateTime - Kept;
        await db.Database.ExecuteSqlAsync($"""
            DELETE FROM webhook_events e WHERE e.at < {before}
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.status = 'Pending')
            """, ct);
        await db.Database.ExecuteSqlAsync($"DELETE FROM api_idempotency_keys WHERE created_at < {before}", ct);
    }

    /// <summary>
    /// Mails everyone who may manage integrations that an endpoint was switched off. Best effort and outside the outbox
    /// (whose messages belong to bookings): the page shows it anyway, and a mail server that is away is logged.
    /// </summary>
    private async Task TellAdminsAsync(string url, string reason, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StudioDb>();
            var admins = await db.Users.Where(u => u.Email != null && (u.LockoutEnd == null || u.LockoutEnd < DateTimeOffset.UtcNow)
                    && db.UserRoles.Any(r => r.UserId == u.Id && db.RoleClaims.Any(c => c.RoleId == r.RoleId
                        && c.ClaimType == Account.Permissions.ClaimType && c.ClaimValue == Account.Permissions.IntegrationsManage)))
                .Select(u => u.Email!).ToListAsync(ct);
            var studio = await db.Settings.AsNoTracking().OrderBy(s => s.Id).FirstOrDefaultAsync(ct);
            if (admins.Count == 0 || studio is null) return;
            var message = new MimeKit.MimeMessage();
            message.From.Add(new MimeKit.MailboxAddress(studio.Name, MimeKit.MailboxAddress.TryParse(studio.SenderEmail, out var from) ? from.Address
                : MimeKit.MailboxAddress.TryParse(studio.Email, out var studioMail) ? studioMail.Address : "no-reply@localhost"));
            foreach (var admin in admins) if (MimeKit.MailboxAddress.TryParse(admin, out var to)) message.To.Add(to);
            message.Subject = "A webhook endpoint was switched off";
            message.Body = new MimeKit.TextPart("plain")
            {
                Text = $"The webhook endpoint {url} was switched off: {reason}\n\nSwitch it on again at /admin/integrations once it answers.",
            };
            await using var session = await mail.OpenAsync(ct);
            await session.SendAsync(message, () => { }, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("Could not mail the admins that webhook endpoint {Url} was switched off ({Error})", url, e.GetType().Name);
        }
    }

    public static string EventId(long id) => "evt_" + id.ToString(CultureInfo.InvariantCulture);

    private void Failed(WebhookDelivery delivery, WebhookEndpoint endpoint, DateTime now, string error, List<(string Url, string Reason)> switchedOff)
    {
        delivery.LastError = error;
        var wait = Math.Min(3600, options.Value.RetryBaseSeconds * Math.Pow(2, Math.Min(delivery.Attempts - 1, 20)));
        delivery.NextAttemptAt = now.AddSeconds(wait);
        endpoint.FailingSince ??= now;
        log.LogWarning("Webhook delivery {Id} of event {EventId} to endpoint {Endpoint} failed (attempt {Attempts}): {Error}",
            delivery.Id, delivery.EventId, endpoint.Id, delivery.Attempts, error);
        if (endpoint.Enabled && now - endpoint.FailingSince >= TimeSpan.FromHours(options.Value.DisableAfterHours))
        {
            endpoint.Enabled = false;
            endpoint.DisabledReason = Truncate(
                $"Switched off on {now:yyyy-MM-dd HH:mm} UTC: every delivery failed for {options.Value.DisableAfterHours} hours (last: {error})", 500);
            log.LogError("Webhook endpoint {Endpoint} is switched off: its deliveries failed for {Hours} hours", endpoint.Id, options.Value.DisableAfterHours);
            switchedOff.Add((endpoint.Url, endpoint.DisabledReason));
        }
    }

    private static async Task<string> BodyAsync(IServiceProvider services, WebhookEvent e, CancellationToken ct)
    {
        var db = services.GetRequiredService<StudioDb>();
        object? data = e.Type.StartsWith("booking.", StringComparison.Ordinal)
            ? (await services.GetRequiredService<ApiRepresentations>().BookingsAsync(db.Bookings.Where(b => b.Id == e.ResourceId), ct)).SingleOrDefault()
            : e.Type == "client.erased"
                ? null
                : (object?)await ApiRepresentations.Clients(db.Clients.Where(c => c.Id == e.ResourceId && c.ErasedAt == null)).SingleOrDefaultAsync(ct);
        return JsonSerializer.Serialize(new
        {
            id = EventId(e.Id),
            type = e.Type,
            occurredAt = DateTime.SpecifyKind(e.At, DateTimeKind.Utc),
            data = data ?? new { id = e.ResourceId },
        }, Json);
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    public void Dispose() => http.Dispose();
}
