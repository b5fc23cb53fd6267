namespace IsmsOps.Engine.Roles;

/// <summary>
/// How thorough the background check a role requires is. The order matters: a higher level satisfies a lower one, so
/// a mover to a role with a higher level needs new screening and one to a lower level does not.
/// </summary>
public enum ScreeningLevel
{
    /// <summary>Identity and right to work.</summary>
    Basic = 1,

    /// <summary>Basic plus employment references and, where the law allows, a basic criminal-record check.</summary>
    Standard = 2,

    /// <summary>Standard plus the deeper checks a privileged or finance role warrants (credit, enhanced criminal record).</summary>
    Enhanced = 3,
}
