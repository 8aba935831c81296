using Microsoft.AspNetCore.Identity;
using NpgsqlTypes;

namespace PhotoStudio.Data;

/// <summary>A staff account. The profile (name, hours, time off) lives on <see cref="Employee"/>.</summary>
public class StudioUser : IdentityUser
{
    /// <summary>Set by an admin reset: the user must choose a new password at next sign-in.</summary>
    public bool MustChangePassword { get; set; }

    /// <summary>The last TOTP time step accepted, so a code cannot be used twice.</summary>
    public long? LastTotpTimeStep { get; set; }

    public Employee? Employee { get; set; }
}

public class StudioRole : IdentityRole
{
    public StudioRole() { }
    public StudioRole(string name) : base(name) { }

    /// <summary>Members of this role must sign in with a second factor.</summary>
    public bool RequiresTwoFactor { get; set; }
}

/// <summary>The single row of studio-wide settings (Id is always 1).</summary>
public class StudioSettings
{
    public int Id { get; set; } = 1;
    public required string Name { get; set; }
    public string Address { get; set; } = "";
    public string Phone { get; set; } = "";
    public string Email { get; set; } = "";
    public required string TimeZone { get; set; }
    public required string Currency { get; set; }
    public int SlotStepMinutes { get; set; } = 30;
    public int MinimumNoticeMinutes { get; set; } = 120;
    public int HorizonDays { get; set; } = 60;
    public int CancelCutoffHours { get; set; } = 24;
    public int RescheduleCutoffHours { get; set; } = 24;
    public bool AutoConfirm { get; set; }
    public string DepositPolicy { get; set; } = "";
    /// <summary>The name clients see as the sender of the studio's emails ("" = the studio's name).</summary>
    public string SenderName { get; set; } = "";
    /// <summary>The From address of the studio's emails ("" = the studio's email).</summary>
    public string SenderEmail { get; set; } = "";
    /// <summary>Who hears of new web bookings: email addresses, one per entry.</summary>
    public List<string> StaffRecipients { get; set; } = [];
    /// <summary>Reminders before a session, in minutes (24 h and 2 h by default); empty = no reminders.</summary>
    public List<int> ReminderOffsetsMinutes { get; set; } = [1440, 120];
    /// <summary>The kinds of message the studio switched off (<c>Notifications.NotificationKind</c>).</summary>
    public List<string> MessagesOff { get; set; } = [];
    /// <summary>Pending requests not confirmed within this many hours are cancelled; 0 = never.</summary>
    public int ExpirePendingAfterHours { get; set; }
    /// <summary>How many times the outbox tries a message before it is marked failed.</summary>
    public int MaxSendAttempts { get; set; } = 8;
    /// <summary>
    /// Retention: clients without a booking (made or held) for this many months are erased by the nightly job. Null is
    /// off, the default: a studio decides this for itself.
    /// </summary>
    public int? EraseClientsAfterMonths { get; set; }
    /// <summary>PostgreSQL's xmin: an admin's edit is refused when someone saved the row since the form was loaded.</summary>
    public uint Version { get; set; }
}

/// <summary>Weekly opening hours, in the studio's local time; several intervals per weekday allowed.</summary>
public class BusinessHours
{
    public int Id { get; set; }
    public DayOfWeek Weekday { get; set; }
    public TimeOnly Opens { get; set; }
    public TimeOnly Closes { get; set; }
}

/// <summary>Days the studio is closed (inclusive range of local dates).</summary>
public class Closure
{
    public int Id { get; set; }
    public DateOnly FirstDay { get; set; }
    public DateOnly LastDay { get; set; }
    public string Reason { get; set; } = "";
}

public class Room
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    public int Capacity { get; set; }
    public decimal HourlyRate { get; set; }
    public int BufferBeforeMinutes { get; set; }
    public int BufferAfterMinutes { get; set; }
    public string Color { get; set; } = "#6c757d";
    public bool IsActive { get; set; } = true;
    /// <summary>PostgreSQL's xmin: an admin's edit is refused when someone saved the row since the form was loaded.</summary>
    public uint Version { get; set; }
}

/// <summary>A package a client books: what, how long, for how much, where and by whom.</summary>
public class Service
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    public int DurationMinutes { get; set; }
    public decimal Price { get; set; }
    public bool NeedsPhotographer { get; set; } = true;
    public bool IsActive { get; set; } = true;
    public List<ServiceRoom> Rooms { get; set; } = [];
    public List<ServiceEmployee> Employees { get; set; } = [];
    /// <summary>PostgreSQL's xmin: an admin's edit is refused when someone saved the row since the form was loaded.</summary>
    public uint Version { get; set; }
}

public class ServiceRoom
{
    public int ServiceId { get; set; }
    public int RoomId { get; set; }
    public Room? Room { get; set; }
}

public class ServiceEmployee
{
    public int ServiceId { get; set; }
    public int EmployeeId { get; set; }
    public Employee? Employee { get; set; }
}

public class Employee
{
    public int Id { get; set; }
    public required string UserId { get; set; }
    public StudioUser? User { get; set; }
    public required string FullName { get; set; }
    public string Phone { get; set; } = "";
    public string Position { get; set; } = "";
    public string Color { get; set; } = "#0d6efd";
    public bool IsActive { get; set; } = true;
    public List<WorkingHours> WorkingHours { get; set; } = [];
    public List<TimeOff> TimeOff { get; set; } = [];
    /// <summary>PostgreSQL's xmin: an admin's edit is refused when someone saved the row since the form was loaded.</summary>
    public uint Version { get; set; }
}

/// <summary>One working interval of an employee on a weekday, in the studio's local time.</summary>
public class WorkingHours
{
    public int Id { get; set; }
    public int EmployeeId { get; set; }
    public DayOfWeek Weekday { get; set; }
    public TimeOnly Starts { get; set; }
    public TimeOnly Ends { get; set; }
}

public class TimeOff
{
    public int Id { get; set; }
    public int EmployeeId { get; set; }
    public DateTime StartsAt { get; set; }
    public DateTime EndsAt { get; set; }
    public string Reason { get; set; } = "";
}

public class Client
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string Email { get; set; }
    public string Phone { get; set; } = "";
    public string Notes { get; set; } = "";
    public List<string> Tags { get; set; } = [];
    public DateTime? TermsAcceptedAt { get; set; }
    public bool MarketingOptIn { get; set; }
    public string Source { get; set; } = "web";
    public DateTime CreatedAt { get; set; }
    /// <summary>Set when personal data was replaced by an anonymous marker; bookings stay for statistics.</summary>
    public DateTime? ErasedAt { get; set; }
    /// <summary>
    /// Name, email, phone and the phone's digits in one column (generated by PostgreSQL) under a trigram index, so a
    /// fragment of any of them ("4567", "anna", "gmail") is found with one indexed ILIKE even over 100,000 clients.
    /// </summary>
    public string SearchText { get; private set; } = "";
    /// <summary>The phone's digits only (generated): how duplicates by phone are found whatever the formatting.</summary>
    public string PhoneDigits { get; private set; } = "";
    /// <summary>PostgreSQL's xmin, the optimistic concurrency token of staff edits.</summary>
    public uint Version { get; set; }
    public List<ClientNote> StaffNotes { get; set; } = [];
    public List<ClientConsent> Consents { get; set; } = [];
}

/// <summary>A staff note on a client; added, never edited, like a booking's notes.</summary>
public class ClientNote
{
    public long Id { get; set; }
    public int ClientId { get; set; }
    /// <summary>The user id of the author.</summary>
    public required string AuthorId { get; set; }
    public string AuthorName { get; set; } = "";
    public DateTime At { get; set; }
    public required string Text { get; set; }
}

/// <summary>The consent log: every change of a client's consent (terms accepted, marketing opt-in or out), when and from where.</summary>
public class ClientConsent
{
    public const string Terms = "terms";
    public const string Marketing = "marketing";

    public long Id { get; set; }
    public int ClientId { get; set; }
    /// <summary><see cref="Terms"/> or <see cref="Marketing"/>.</summary>
    public required string Kind { get; set; }
    public bool Granted { get; set; }
    public DateTime At { get; set; }
    /// <summary>Where the change came from: "web" (the booking form), "staff", "merge", "erasure".</summary>
    public required string Source { get; set; }
    /// <summary>A user id, or "client" / "system".</summary>
    public required string By { get; set; }
}

public enum BookingStatus { Pending, Confirmed, Shooting, Editing, Delivered, Cancelled, NoShow }

public class Booking
{
    public int Id { get; set; }
    public required string Code { get; set; }
    public int ClientId { get; set; }
    public Client? Client { get; set; }
    public int ServiceId { get; set; }
    public Service? Service { get; set; }
    public int RoomId { get; set; }
    public Room? Room { get; set; }
    public int? PhotographerId { get; set; }
    public Employee? Photographer { get; set; }
    public DateTime StartsAt { get; set; }
    public DateTime EndsAt { get; set; }
    /// <summary>Start minus the room's buffer before, to end plus its buffer after; what the exclusion constraints guard.</summary>
    public NpgsqlRange<DateTime> Blocked { get; set; }
    public BookingStatus Status { get; set; }
    public decimal Price { get; set; }
    public required string Currency { get; set; }
    public int Guests { get; set; } = 1;
    public string ClientNotes { get; set; } = "";
    public string InternalNotes { get; set; } = "";
    public string Source { get; set; } = "web";
    /// <summary>
    /// The name and phone the person typed when booking on the web. A returning client is matched by email and their
    /// record is never overwritten by a public form, so what they typed this time is kept here; staff see both when they
    /// differ. Empty for bookings made before this was kept.
    /// </summary>
    public string ContactName { get; set; } = "";
    public string ContactPhone { get; set; } = "";
    /// <summary>The language the client booked in ("en" or "ru"): every message about the booking is written in it.</summary>
    public string Language { get; set; } = "en";
    /// <summary>
    /// Goes up by one whenever the time changes or the booking is cancelled: the SEQUENCE of its calendar event, so
    /// calendar apps replace the old one, and part of the outbox key, so a reminder is owed again for a new time.
    /// </summary>
    public int Revision { get; set; }
    /// <summary>When the current time was set (booked or last rescheduled): reminders whose moment had passed by then are skipped.</summary>
    public DateTime ScheduledAt { get; set; }
    /// <summary>SHA-256 of the manage token; the token itself is only ever in the client's link.</summary>
    public required byte[] ManageTokenHash { get; set; }
    /// <summary>
    /// The manage token sealed with the app's data-protection keys, so later messages (reminders) can carry the link.
    /// Null for bookings made before messages existed; their messages point to the lost-link page instead.
    /// </summary>
    public string? ManageTokenSealed { get; set; }
    /// <summary>The one-time id of the wizard draft this booking was confirmed from (unique); null for staff bookings.</summary>
    public Guid? DraftId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>PostgreSQL's xmin, the optimistic concurrency token of staff edits.</summary>
    public uint Version { get; set; }
    public List<BookingStatusChange> History { get; set; } = [];
    public List<BookingNote> Notes { get; set; } = [];

    /// <summary>
    /// The statuses in which a booking holds its room and photographer, for every query and check. The
    /// no-double-booking constraints spell the same list out in SQL; MigrationDriftTests keeps the two equal.
    /// </summary>
    public static readonly IReadOnlyList<BookingStatus> LiveStatuses =
        [BookingStatus.Pending, BookingStatus.Confirmed, BookingStatus.Shooting, BookingStatus.Editing, BookingStatus.Delivered];

    public static bool IsLive(BookingStatus status) => LiveStatuses.Contains(status);

    public void Block(DateTime startsAt, DateTime endsAt, Room room) =>
        Block(startsAt, endsAt, room.BufferBeforeMinutes, room.BufferAfterMinutes);

    /// <summary>The same, with the room's buffers already at hand (the confirmation's re-check read them).</summary>
    public void Block(DateTime startsAt, DateTime endsAt, int bufferBeforeMinutes, int bufferAfterMinutes) =>
        Block(startsAt, endsAt, BlockedRange(startsAt, endsAt, bufferBeforeMinutes, bufferAfterMinutes));

    /// <summary>The same, with the blocked range already worked out by <see cref="BlockedRange"/>.</summary>
    public void Block(DateTime startsAt, DateTime endsAt, NpgsqlRange<DateTime> blocked)
    {
        StartsAt = startsAt;
        EndsAt = endsAt;
        Blocked = blocked;
    }

    /// <summary>The time a session keeps its room and photographer from other bookings: the session and the room's buffers.</summary>
    public static NpgsqlRange<DateTime> BlockedRange(DateTime startsAt, DateTime endsAt, int bufferBeforeMinutes, int bufferAfterMinutes) =>
        new(startsAt.AddMinutes(-bufferBeforeMinutes), true, endsAt.AddMinutes(bufferAfterMinutes), false);
}

public class BookingStatusChange
{
    public long Id { get; set; }
    public int BookingId { get; set; }
    public BookingStatus? From { get; set; }
    public BookingStatus To { get; set; }
    /// <summary>A user id, or "client" / "system".</summary>
    public required string By { get; set; }
    public DateTime At { get; set; }
    public string Reason { get; set; } = "";
}

/// <summary>A staff-only note on a booking; notes are added, never edited, so the thread reads as it happened.</summary>
public class BookingNote
{
    public long Id { get; set; }
    public int BookingId { get; set; }
    /// <summary>The user id of the author.</summary>
    public required string AuthorId { get; set; }
    public string AuthorName { get; set; } = "";
    public DateTime At { get; set; }
    public required string Text { get; set; }
}

/// <summary>Append-only record of who changed what.</summary>
public class AuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    /// <summary>A user id, or "client" / "system".</summary>
    public required string Actor { get; set; }
    public string ActorName { get; set; } = "";
    public required string Action { get; set; }
    public string EntityType { get; set; } = "";
    public string EntityId { get; set; } = "";
    /// <summary>JSON object: field → [old, new]. Secrets are never recorded.</summary>
    public string? Changes { get; set; }
    public string Ip { get; set; } = "";
    public string TraceId { get; set; } = "";
}

/// <summary>A change other screens must see; written in the booking's transaction, then announced with pg_notify.</summary>
public class BoardEvent
{
    public long Id { get; set; }
    public int BookingId { get; set; }
    public required string Kind { get; set; }
    public DateTime At { get; set; }
    /// <summary>The photographer a reassignment took the booking from: their board must hear of it to drop the card.</summary>
    public int? PreviousPhotographerId { get; set; }
}

/// <summary>
/// How many times a step of the public booking wizard was reached on a studio-local day (1 service page,
/// 2 room and photographer, 3 date and time, 4 details, 5 review, 6 confirmed). Only counts: nothing about the visitor.
/// </summary>
public class FunnelCount
{
    public DateOnly Day { get; set; }
    public short Step { get; set; }
    public int Count { get; set; }
}

/// <summary>
/// Roll-up of bookings by the local date their session starts on (studio zone), room, photographer, service and status.
/// Kept exact by PostgreSQL triggers on <c>bookings</c> in the transaction of every change (see the RollUps migration),
/// so the dashboard sums a few rows per day instead of reading every booking of its period.
/// </summary>
public class BookingDayStat
{
    public long Id { get; set; }
    public DateOnly Day { get; set; }
    public int RoomId { get; set; }
    public int? PhotographerId { get; set; }
    public int ServiceId { get; set; }
    public BookingStatus Status { get; set; }
    public int Bookings { get; set; }
    /// <summary>The sum of the bookings' price snapshots, whatever the status (the reader picks the earning ones).</summary>
    public decimal Revenue { get; set; }
    /// <summary>The sum of start minus creation, in seconds (numeric: sums and differences stay exact).</summary>
    public decimal LeadSeconds { get; set; }
    /// <summary>The sum of end minus start, in seconds.</summary>
    public decimal BookedSeconds { get; set; }
}

/// <summary>
/// Booked seconds of a room's live sessions that start on <see cref="Day"/> (local date), by the local weekday and hour
/// each part of the session falls in: the heatmap's cells. A session over several hours adds to each of them; on the
/// autumn DST day the repeated hour adds to one cell, as the wall clock reads it. Kept by the same triggers.
/// </summary>
public class RoomHourStat
{
    public DateOnly Day { get; set; }
    public int RoomId { get; set; }
    public DayOfWeek Weekday { get; set; }
    public int Hour { get; set; }
    /// <summary>The quarter hours of sessions that lie in this cell (any part of one): the row goes when none is left.</summary>
    public int Quarters { get; set; }
    public decimal BookedSeconds { get; set; }
}

/// <summary>How many bookings (any status) a client has starting on a local date: distinct clients of a period, exactly.</summary>
public class ClientDay
{
    public int ClientId { get; set; }
    public DateOnly Day { get; set; }
    public int Bookings { get; set; }
}

/// <summary>
/// Each client who has bookings: when the first of them was made (the earliest creation: "new" clients) and the local
/// dates their sessions start on as one multirange, so "clients of a period" is one overlap test per client instead of
/// a search through every booking day of the period.
/// </summary>
public class ClientFirstBooking
{
    public int ClientId { get; set; }
    public DateTime FirstCreatedAt { get; set; }
    public NpgsqlRange<DateOnly>[] Days { get; set; } = [];
}

public enum NotificationStatus { Pending, Sent, Failed, Withdrawn }

/// <summary>
/// One message owed about a booking, written in the same transaction as the change that causes it (the outbox). The
/// unique key (booking, kind, recipient, revision) lets each effect be queued once per version of the booking; the
/// sender claims rows with FOR UPDATE SKIP LOCKED, so several instances never send the same row.
/// </summary>
public class Notification
{
    public long Id { get; set; }
    public int BookingId { get; set; }
    public Booking? Booking { get; set; }
    public required string Kind { get; set; }
    public required string Recipient { get; set; }
    public string Language { get; set; } = "en";
    /// <summary>The booking's <see cref="Booking.Revision"/> the message is about (for a manage link: which one it is).</summary>
    public int Revision { get; set; }
    public NotificationStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public string LastError { get; set; } = "";
    public string Subject { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? SentAt { get; set; }
    /// <summary>The Message-ID the email went out with (stable per row, so a receiver can tell a repeat).</summary>
    public string? ProviderMessageId { get; set; }
}

public enum FeedScope { Employee, Room, Studio }

/// <summary>A private calendar subscription: an employee's own sessions, a room's, or the whole studio's.</summary>
public class CalendarFeed
{
    public int Id { get; set; }
    public required string UserId { get; set; }
    public FeedScope Scope { get; set; }
    public int? RoomId { get; set; }
    /// <summary>SHA-256 of the token in the URL; the feed is found by it.</summary>
    public required byte[] TokenHash { get; set; }
    /// <summary>The token sealed with the data-protection keys, so its owner can see the URL again.</summary>
    public required string TokenSealed { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// A key an integration sends as <c>Authorization: Bearer psk_{Prefix}_{secret}</c>. Only the SHA-256 of the whole key is
/// kept; the prefix, shown in /admin/integrations, tells keys apart. What a key may do is its scopes, and never more
/// than its creator may do at the time of the request.
/// </summary>
public class ApiKey
{
    public const int NameLength = 80;

    public int Id { get; set; }
    public required string Name { get; set; }
    public required string Prefix { get; set; }
    public required byte[] SecretHash { get; set; }
    public required string[] Scopes { get; set; }
    public required string CreatedByUserId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

/// <summary>
/// A booking made through the API with an <c>Idempotency-Key</c>: the same key and request again answer with this
/// booking instead of making another; written in the booking's own transaction, so a key names one booking or none.
/// </summary>
public class ApiIdempotencyKey
{
    public const int KeyLength = 100;

    public int ApiKeyId { get; set; }
    public required string Key { get; set; }
    /// <summary>SHA-256 of the request as the API read it: the same key with another request is refused.</summary>
    public required byte[] RequestHash { get; set; }
    public int BookingId { get; set; }
    public Booking? Booking { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>An address that is told of bookings and clients as they change, signed with its own secret.</summary>
public class WebhookEndpoint
{
    public const int UrlLength = 2000;

    public int Id { get; set; }
    public required string Url { get; set; }
    /// <summary>The signing secret sealed with the data-protection keys: the sender needs it back to sign.</summary>
    public required string SecretSealed { get; set; }
    /// <summary>The event types it wants (<c>booking.created</c> …).</summary>
    public required string[] Events { get; set; }
    public bool Enabled { get; set; } = true;
    public required string CreatedByUserId { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Since when every delivery has failed; null while the last one succeeded.</summary>
    public DateTime? FailingSince { get; set; }
    /// <summary>Why it was switched off by the sender (a day of failures); empty when an admin did it or it is on.</summary>
    public string DisabledReason { get; set; } = "";
    public uint Version { get; set; }
}

/// <summary>Something that happened to a booking or a client, written by the tables' triggers in the change's transaction.</summary>
public class WebhookEvent
{
    public long Id { get; set; }
    public required string Type { get; set; }
    public int ResourceId { get; set; }
    public DateTime At { get; set; }
}

public enum WebhookDeliveryStatus { Pending, Delivered, Failed }

/// <summary>One event for one endpoint: unique, so an event reaches an endpoint once however many instances send.</summary>
public class WebhookDelivery
{
    public long Id { get; set; }
    public long EventId { get; set; }
    public WebhookEvent? Event { get; set; }
    public int EndpointId { get; set; }
    public WebhookEndpoint? Endpoint { get; set; }
    public WebhookDeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string LastError { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
}
