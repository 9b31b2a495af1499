/**
 * Cluster security material: the cluster CA ({@link dev.cairn.common.security.CertificateAuthority}),
 * identities kept as PEM files ({@link dev.cairn.common.security.Identity}, laid out by {@link
 * dev.cairn.common.security.SecurityLayout}), TLS material that reloads rotated files ({@link
 * dev.cairn.common.security.TlsMaterial}) and the principal a certificate names ({@link
 * dev.cairn.common.security.CairnPrincipal}); and bearer tokens for clients that cannot hold a
 * certificate ({@link dev.cairn.common.security.AccessToken}, {@link
 * dev.cairn.common.security.TokenRecord}, checked by {@link dev.cairn.common.security.BearerTokens}).
 */
package dev.cairn.common.security;
