using System.Text;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace PhotoStudio.Data;

/// <summary>The studio's database: domain tables plus ASP.NET Core Identity, all snake_case.</summary>
public class StudioDb(DbContextOptions<StudioDb> options)
    : IdentityDbContext<StudioUser, StudioRole, string>(options), IDataProtectionKeyContext
{
    public DbSet<StudioSettings> Settings => Set<StudioSettings>();
    public DbSet<BusinessHours> BusinessHours => Set<BusinessHours>();
    public DbSet<Closure> Closures => Set<Closure>();
    public DbSet<Room> Rooms => Set<Room>();
    public DbSet<Service> Services => Set<Service>();
    public DbSet<ServiceRoom> ServiceRooms => Set<ServiceRoom>();
    public DbSet<ServiceEmployee> ServiceEmployees => Set<ServiceEmployee>();
    public DbSet<Employee> Employees => Set<Employee>();
    public DbSet<WorkingHours> WorkingHours => Set<WorkingHours>();
    public DbSet<TimeOff> TimeOff => Set<TimeOff>();
    public DbSet<Client> Clients => Set<Client>();
    public DbSet<ClientNote> ClientNotes => Set<ClientNote>();
    public DbSet<ClientConsent> ClientConsents => Set<ClientConsent>();
    public DbSet<Booking> Bookings => Set<Booking>();
    public DbSet<BookingStatusChange> BookingStatusChanges => Set<BookingStatusChange>();
    public DbSet<BookingNote> BookingNotes => Set<BookingNote>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<BoardEvent> BoardEvents => Set<BoardEvent>();
    public DbSet<FunnelCount> FunnelCounts => Set<FunnelCount>();
    public DbSet<BookingDayStat> BookingDayStats => Set<BookingDayStat>();
    public DbSet<RoomHourStat> RoomHourStats => Set<RoomHourStat>();
    public DbSet<ClientDay> ClientDays => Set<ClientDay>();
    public DbSet<ClientFirstBooking> ClientFirstBookings => Set<ClientFirstBooking>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<CalendarFeed> CalendarFeeds => Set<CalendarFeed>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<ApiIdempotencyKey> ApiIdempotencyKeys => Set<ApiIdempotencyKey>();
    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();
    public DbSet<WebhookEvent> WebhookEvents => Set<WebhookEvent>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    /// <summary>ASP.NET Core data-protection keys, shared by every app instance (PersistKeysToDbContext).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        base.OnModelCreating(b);
        b.HasPostgresExtension("btree_gist");
        b.HasPostgresExtension("pg_trgm");

        b.Entity<StudioUser>(e => e.ToTable("users"));
        b.Entity<StudioRole>(e => e.ToTable("roles"));
        b.Entity<IdentityUserRole<string>>(e => e.ToTable("user_roles"));
        b.Entity<IdentityUserClaim<string>>(e => e.ToTable("user_claims"));
        b.Entity<IdentityUserLogin<string>>(e => e.ToTable("user_logins"));
        b.Entity<IdentityUserToken<string>>(e => e.ToTable("user_tokens"));
        b.Entity<IdentityRoleClaim<string>>(e => e.ToTable("role_claims"));

        b.Entity<StudioSettings>(e =>
        {
            e.Property(x => x.Version).HasColumnName("xmin").HasColumnType("xid").IsRowVersion();
            e.ToTable("studio_settings", t => t.HasCheckConstraint("ck_studio_settings_single_row", "id = 1"));
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.TimeZone).HasMaxLength(64);
            e.Property(x => x.Currency).HasMaxLength(3).IsFixedLength();
            e.Property(x => x.SenderName).HasMaxLength(200);
            e.Property(x => x.SenderEmail).HasMaxLength(254);
            e.Property(x => x.StaffRecipients).HasDefaultValueSql("'{}'::text[]");
            e.Property(x => x.ReminderOffsetsMinutes).HasDefaultValueSql("'{1440,120}'::integer[]");
            e.Property(x => x.MessagesOff).HasDefaultValueSql("'{}'::text[]");
            e.Property(x => x.MaxSendAttempts).HasDefaultValue(8);
            e.ToTable(t =>
            {
                t.HasCheckConstraint("ck_studio_settings_expiry", "expire_pending_after_hours BETWEEN 0 AND 8760");
                t.HasCheckConstraint("ck_studio_settings_attempts", "max_send_attempts BETWEEN 1 AND 50");
                t.HasCheckConstraint("ck_studio_settings_erase_after", "erase_clients_after_months BETWEEN 1 AND 240");
            });
        });

        b.Entity<BusinessHours>(e =>
        {
            e.ToTable("business_hours", t => t.HasCheckConstraint("ck_business_hours_order", "closes > opens"));
            e.HasIndex(x => x.Weekday);
        });

        b.Entity<Closure>(e =>
            e.ToTable("closures", t => t.HasCheckConstraint("ck_closures_order", "last_day >= first_day")));

        b.Entity<Room>(e =>
        {
            e.Property(x => x.Version).HasColumnName("xmin").HasColumnType("xid").IsRowVersion();
            e.ToTable("rooms", t =>
            {
                t.HasCheckConstraint("ck_rooms_buffers", "buffer_before_minutes >= 0 AND buffer_after_minutes >= 0");
                t.HasCheckConstraint("ck_rooms_capacity", "capacity > 0");
            });
            e.Property(x => x.Name).HasMaxLength(100);
            e.HasIndex(x => x.Name).IsUnique();
            e.Property(x => x.HourlyRate).HasPrecision(10, 2);
            e.Property(x => x.Color).HasMaxLength(7);
        });

        b.Entity<Service>(e =>
        {
            e.Property(x => x.Version).HasColumnName("xmin").HasColumnType("xid").IsRowVersion();
            e.ToTable("services", t =>
            {
                t.HasCheckConstraint("ck_services_duration", "duration_minutes > 0");
                t.HasCheckConstraint("ck_services_price", "price >= 0");
            });
            e.Property(x => x.Name).HasMaxLength(100);
            e.HasIndex(x => x.Name).IsUnique();
            e.Property(x => x.Price).HasPrecision(10, 2);
        });

        b.Entity<ServiceRoom>(e =>
        {
            e.ToTable("service_rooms");
            e.HasKey(x => new { x.ServiceId, x.RoomId });
            e.HasOne<Service>().WithMany(s => s.Rooms).HasForeignKey(x => x.ServiceId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(x => x.Room).WithMany().HasForeignKey(x => x.RoomId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<ServiceEmployee>(e =>
        {
            e.ToTable("service_employees");
            e.HasKey(x => new { x.ServiceId, x.EmployeeId });
            e.HasOne<Service>().WithMany(s => s.Employees).HasForeignKey(x => x.ServiceId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(x => x.Employee).WithMany().HasForeignKey(x => x.EmployeeId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<Employee>(e =>
        {
            e.Property(x => x.Version).HasColumnName("xmin").HasColumnType("xid").IsRowVersion();
            e.ToTable("employees");
            e.Property(x => x.FullName).HasMaxLength(200);
            e.Property(x => x.Color).HasMaxLength(7);
            e.HasIndex(x => x.UserId).IsUnique();
            e.HasOne(x => x.User).WithOne(u => u.Employee).HasForeignKey<Employee>(x => x.UserId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<WorkingHours>(e =>
        {
            e.ToTable("working_hours", t => t.HasCheckConstraint("ck_working_hours_order", "ends > starts"));
            e.HasOne<Employee>().WithMany(x => x.WorkingHours).HasForeignKey(x => x.EmployeeId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => new { x.EmployeeId, x.Weekday });
        });

        b.Entity<TimeOff>(e =>
        {
            e.ToTable("time_off", t => t.HasCheckConstraint("ck_time_off_order", "ends_at > starts_at"));
            e.HasOne<Employee>().WithMany(x => x.TimeOff).HasForeignKey(x => x.EmployeeId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => new { x.EmployeeId, x.StartsAt });
        });

        b.Entity<Client>(e =>
        {
            e.ToTable("clients");
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.Email).HasMaxLength(254);
            e.Property(x => x.Phone).HasMaxLength(40);
            // Emails are stored normalised to lower case by the app; the unique key makes "find or create" race-safe.
            e.HasIndex(x => x.Email).IsUnique();
            e.HasIndex(x => x.Name);
            e.Property(x => x.Notes).HasMaxLength(4000);
            e.Property(x => x.Source).HasMaxLength(20);
            e.Property(x => x.PhoneDigits).HasComputedColumnSql("regexp_replace(phone, '[^0-9]', '', 'g')", stored: true);
            e.Property(x => x.SearchText)
                .HasComputedColumnSql("name || ' ' || email || ' ' || phone || ' ' || regexp_replace(phone, '[^0-9]', '', 'g')", stored: true);
            e.HasIndex(x => x.SearchText).HasMethod("gin").HasOperators("gin_trgm_ops");
            e.HasIndex(x => x.PhoneDigits);
            e.HasIndex(x => x.Tags).HasMethod("gin");
            e.Property(x => x.Version).HasColumnName("xmin").HasColumnType("xid").IsRowVersion();
            e.HasMany(x => x.StaffNotes).WithOne().HasForeignKey(x => x.ClientId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(x => x.Consents).WithOne().HasForeignKey(x => x.ClientId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<ClientNote>(e =>
        {
            e.ToTable("client_notes");
            e.Property(x => x.AuthorId).HasMaxLength(450);
            e.Property(x => x.AuthorName).HasMaxLength(200);
            e.Property(x => x.Text).HasMaxLength(2000);
            e.HasIndex(x => new { x.ClientId, x.At });
        });

        b.Entity<ClientConsent>(e =>
        {
            e.ToTable("client_consents", t => t.HasCheckConstraint("ck_client_consents_kind", "kind IN ('terms','marketing')"));
            e.Property(x => x.Kind).HasMaxLength(16);
            e.Property(x => x.Source).HasMaxLength(20);
            e.Property(x => x.By).HasMaxLength(450);
            e.HasIndex(x => new { x.ClientId, x.At });
        });

        b.Entity<Booking>(e =>
        {
            e.ToTable("bookings", t =>
            {
                t.HasCheckConstraint("ck_bookings_order", "ends_at > starts_at");
                t.HasCheckConstraint("ck_bookings_blocked_not_empty", "NOT isempty(blocked)");
                t.HasCheckConstraint("ck_bookings_blocked_covers", "lower(blocked) <= starts_at AND upper(blocked) >= ends_at");
                t.HasCheckConstraint("ck_bookings_guests", "guests BETWEEN 1 AND 100");
                t.HasCheckConstraint("ck_bookings_status",
                    "status IN ('Pending','Confirmed','Shooting','Editing','Delivered','Cancelled','NoShow')");
            });
            e.Property(x => x.Code).HasMaxLength(12);
            e.HasIndex(x => x.Code).IsUnique();
            e.HasIndex(x => x.ManageTokenHash).IsUnique();
            e.HasIndex(x => x.DraftId).IsUnique();
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Price).HasPrecision(10, 2);
            e.Property(x => x.Currency).HasMaxLength(3).IsFixedLength();
            e.Property(x => x.Source).HasMaxLength(20);
            e.Property(x => x.Language).HasMaxLength(8).HasDefaultValue("en");
            e.Property(x => x.ContactName).HasMaxLength(200).HasDefaultValue("");
            e.Property(x => x.ContactPhone).HasMaxLength(40).HasDefaultValue("");
            e.ToTable(t => t.HasCheckConstraint("ck_bookings_language", "language IN ('en','ru')"));
            e.Property(x => x.Version).HasColumnName("xmin").HasColumnType("xid").IsRowVersion();
            e.HasOne(x => x.Client).WithMany().HasForeignKey(x => x.ClientId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(x => x.Service).WithMany().HasForeignKey(x => x.ServiceId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(x => x.Room).WithMany().HasForeignKey(x => x.RoomId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(x => x.Photographer).WithMany().HasForeignKey(x => x.PhotographerId).OnDelete(DeleteBehavior.Restrict);
            e.HasMany(x => x.History).WithOne().HasForeignKey(x => x.BookingId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(x => x.Notes).WithOne().HasForeignKey(x => x.BookingId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => new { x.StartsAt, x.Status });
            e.HasIndex(x => new { x.RoomId, x.StartsAt });
            e.HasIndex(x => new { x.PhotographerId, x.StartsAt });
            e.HasIndex(x => x.ClientId);
            // The today panel counts the bookings made today.
            e.HasIndex(x => x.CreatedAt);
        });

        b.Entity<BookingStatusChange>(e =>
        {
            e.ToTable("booking_status_changes");
            e.Property(x => x.From).HasColumnName("from_status").HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.To).HasColumnName("to_status").HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.By).HasColumnName("changed_by").HasMaxLength(64);
            e.HasIndex(x => x.BookingId);
        });

        b.Entity<BookingNote>(e =>
        {
            e.ToTable("booking_notes", t => t.HasCheckConstraint("ck_booking_notes_text", "length(btrim(text)) > 0"));
            e.Property(x => x.AuthorId).HasMaxLength(64);
            e.Property(x => x.AuthorName).HasMaxLength(200);
            e.Property(x => x.Text).HasMaxLength(2000);
            e.HasIndex(x => x.BookingId);
        });

        b.Entity<AuditEntry>(e =>
        {
            e.ToTable("audit_entries");
            e.Property(x => x.Changes).HasColumnType("jsonb");
            e.Property(x => x.Actor).HasMaxLength(64);
            e.Property(x => x.Action).HasMaxLength(64);
            e.HasIndex(x => x.At);
            e.HasIndex(x => new { x.EntityType, x.EntityId });
        });

        b.Entity<BoardEvent>(e =>
        {
            e.ToTable("board_events");
            e.Property(x => x.Kind).HasMaxLength(32);
            e.HasIndex(x => x.BookingId);
        });

        b.Entity<FunnelCount>(e =>
        {
            e.ToTable("funnel_counts", t => t.HasCheckConstraint("ck_funnel_counts_step", "step BETWEEN 1 AND 6"));
            e.HasKey(x => new { x.Day, x.Step });
        });

        // The dashboard's roll-ups: written only by the triggers of the RollUps migration, never by the app. No foreign
        // keys, so a roll-up write takes no lock on rooms or clients.
        b.Entity<BookingDayStat>(e =>
        {
            e.ToTable("booking_days");
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Revenue).HasPrecision(18, 2);
            e.Property(x => x.LeadSeconds).HasColumnType("numeric");
            e.Property(x => x.BookedSeconds).HasColumnType("numeric");
            e.HasIndex(x => new { x.Day, x.RoomId, x.PhotographerId, x.ServiceId, x.Status }).IsUnique().AreNullsDistinct(false);
        });

        b.Entity<RoomHourStat>(e =>
        {
            e.ToTable("room_hour_stats");
            e.HasKey(x => new { x.Day, x.RoomId, x.Weekday, x.Hour });
            e.Property(x => x.BookedSeconds).HasColumnType("numeric");
        });

        b.Entity<ClientDay>(e =>
        {
            e.ToTable("client_days");
            // Day first: a period's distinct clients are one range of the key; the other index answers "any day of this client in the period".
            e.HasKey(x => new { x.Day, x.ClientId });
            e.HasIndex(x => new { x.ClientId, x.Day });
        });

        b.Entity<ClientFirstBooking>(e =>
        {
            e.ToTable("client_first_bookings");
            e.HasKey(x => x.ClientId);
            e.Property(x => x.ClientId).ValueGeneratedNever();
            e.HasIndex(x => x.FirstCreatedAt);
            e.Property(x => x.Days).HasColumnType("datemultirange");
        });

        b.Entity<Notification>(e =>
        {
            e.ToTable("notifications", t =>
            {
                t.HasCheckConstraint("ck_notifications_status", "status IN ('Pending','Sent','Failed','Withdrawn')");
                t.HasCheckConstraint("ck_notifications_attempts", "attempts >= 0");
            });
            e.Property(x => x.Kind).HasMaxLength(32);
            e.Property(x => x.Recipient).HasMaxLength(254);
            e.Property(x => x.Language).HasMaxLength(8);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.LastError).HasMaxLength(500);
            e.Property(x => x.Subject).HasMaxLength(300);
            e.Property(x => x.ProviderMessageId).HasMaxLength(200);
            e.HasOne(x => x.Booking).WithMany().HasForeignKey(x => x.BookingId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => new { x.BookingId, x.Kind, x.Recipient, x.Revision }).IsUnique();
            // The sender's queue: only what is still to be sent, in the order it is due.
            e.HasIndex(x => x.NextAttemptAt).HasFilter("status = 'Pending'").HasDatabaseName("ix_notifications_due");
            e.HasIndex(x => new { x.Status, x.CreatedAt });
        });

        b.Entity<ApiKey>(e =>
        {
            e.ToTable("api_keys", t =>
            {
                t.HasCheckConstraint("ck_api_keys_name", "length(btrim(name)) > 0");
                t.HasCheckConstraint("ck_api_keys_prefix", "prefix ~ '^[a-z2-7]{8}$'");
                t.HasCheckConstraint("ck_api_keys_secret_hash", "length(secret_hash) = 32");
            });
            e.Property(x => x.Name).HasMaxLength(ApiKey.NameLength);
            e.Property(x => x.Prefix).HasMaxLength(8);
            e.Property(x => x.CreatedByUserId).HasMaxLength(450);
            e.HasOne<StudioUser>().WithMany().HasForeignKey(x => x.CreatedByUserId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(x => x.Prefix).IsUnique();
            // A name tells live keys apart; a revoked key's name may be used again.
            e.HasIndex(x => x.Name).IsUnique().HasFilter("revoked_at IS NULL");
        });

        b.Entity<ApiIdempotencyKey>(e =>
        {
            e.ToTable("api_idempotency_keys", t => t.HasCheckConstraint("ck_api_idempotency_keys_request_hash", "length(request_hash) = 32"));
            e.HasKey(x => new { x.ApiKeyId, x.Key });
            e.Property(x => x.Key).HasMaxLength(ApiIdempotencyKey.KeyLength);
            e.HasOne<ApiKey>().WithMany().HasForeignKey(x => x.ApiKeyId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(x => x.Booking).WithMany().HasForeignKey(x => x.BookingId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<WebhookEndpoint>(e =>
        {
            e.ToTable("webhook_endpoints", t => t.HasCheckConstraint("ck_webhook_endpoints_events", "cardinality(events) > 0"));
            e.Property(x => x.Url).HasMaxLength(WebhookEndpoint.UrlLength);
            e.Property(x => x.CreatedByUserId).HasMaxLength(450);
            e.Property(x => x.DisabledReason).HasMaxLength(500);
            e.Property(x => x.Version).HasColumnName("xmin").HasColumnType("xid").IsRowVersion();
            e.HasOne<StudioUser>().WithMany().HasForeignKey(x => x.CreatedByUserId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<WebhookEvent>(e =>
        {
            e.ToTable("webhook_events");
            e.Property(x => x.Type).HasMaxLength(40);
        });
        b.Entity<WebhookDelivery>(e =>
        {
            e.ToTable("webhook_deliveries");
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.LastError).HasMaxLength(500);
            e.HasOne(x => x.Event).WithMany().HasForeignKey(x => x.EventId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(x => x.Endpoint).WithMany().HasForeignKey(x => x.EndpointId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => new { x.EventId, x.EndpointId }).IsUnique();
            // The sender's question: what is due now.
            e.HasIndex(x => x.NextAttemptAt).HasFilter("status = 'Pending'");
        });

        b.Entity<CalendarFeed>(e =>
        {
            e.ToTable("calendar_feeds", t =>
            {
                t.HasCheckConstraint("ck_calendar_feeds_scope", "scope IN ('Employee','Room','Studio')");
                t.HasCheckConstraint("ck_calendar_feeds_room", "(scope = 'Room') = (room_id IS NOT NULL)");
            });
            e.Property(x => x.Scope).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.UserId).HasMaxLength(450);
            e.HasOne<StudioUser>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Room>().WithMany().HasForeignKey(x => x.RoomId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => x.TokenHash).IsUnique();
            e.HasIndex(x => new { x.UserId, x.Scope, x.RoomId }).IsUnique().AreNullsDistinct(false);
        });

        // The library's own entity on the table the app has always had: existing keys keep working.
        b.Entity<DataProtectionKey>(e =>
        {
            e.ToTable("data_protection_keys");
            e.Property(x => x.FriendlyName).IsRequired();
            e.Property(x => x.Xml).IsRequired();
            e.HasIndex(x => x.FriendlyName).IsUnique();
        });

        ApplySnakeCase(b);
    }

    /// <summary>Columns, keys and indexes in snake_case, so hand-written SQL reads naturally.</summary>
    private static void ApplySnakeCase(ModelBuilder b)
    {
        foreach (var entity in b.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            var id = StoreObjectIdentifier.Table(table, entity.GetSchema());
            foreach (var p in entity.GetProperties().Where(p => p.GetColumnName(id) != "xmin"))
                p.SetColumnName(Snake(p.GetColumnName(id) ?? p.Name));
            foreach (var k in entity.GetKeys())
                k.SetName(k.IsPrimaryKey() ? $"pk_{table}" : $"ak_{table}_{string.Join("_", k.Properties.Select(p => Snake(p.Name)))}");
            foreach (var fk in entity.GetForeignKeys())
                fk.SetConstraintName($"fk_{table}_{string.Join("_", fk.Properties.Select(p => Snake(p.Name)))}");
            foreach (var ix in entity.GetIndexes())
                ix.SetDatabaseName($"ix_{table}_{string.Join("_", ix.Properties.Select(p => Snake(p.Name)))}");
        }
    }

    internal static string Snake(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])))) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
