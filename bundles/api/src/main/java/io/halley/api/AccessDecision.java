package io.halley.api;

/**
 * The answer to "may this identity do this on this channel", and why.
 *
 * @param allowed whether it may
 * @param rule    the rule that decided (the deny that won, or the grant), or
 *                {@code null} when no rule did (no grant: refused; a token's
 *                {@code channels} claim or a system identity: allowed)
 * @param reason  a short explanation for operators, such as {@code denied by r3}
 */
public record AccessDecision(boolean allowed, AclRule rule, String reason) {
}
