namespace PhotoStudio.Features.Shared;

/// <summary>
/// Anchor type for the UI strings. Keys are the English text; <c>SharedResource.ru.resx</c> beside this
/// file holds the Russian translations, and a test fails when a key used in a view has none.
/// </summary>
public class SharedResource;
