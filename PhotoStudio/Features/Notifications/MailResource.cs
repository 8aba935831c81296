namespace PhotoStudio.Features.Notifications;

/// <summary>
/// Anchor type for the words of the studio's emails, kept apart from the site's <c>SharedResource</c> so a
/// translator reviews every message in one place. As on the site, the keys are the English text (English needs no
/// file of its own); <c>MailResource.ru.resx</c> beside this file holds the Russian, and a test fails when a key
/// the composer uses (<c>M[key]</c>) has none.
/// </summary>
/// <remarks>
/// A key of the form <c>"one|other"</c> is a plural (<see cref="MailPlural"/>): English has two forms, and the
/// Russian value three (<c>"one|few|many"</c>: 1 час, 2 часа, 5 часов).
/// </remarks>
public class MailResource;
