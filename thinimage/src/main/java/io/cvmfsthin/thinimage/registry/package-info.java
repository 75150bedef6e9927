/**
 * Edge: the Docker Registry HTTP API v2 client. Pull (manifests, blobs streamed), push (blob
 * uploads, manifests), anonymous, basic and bearer-token authentication through the {@code
 * WWW-Authenticate} flow with credentials from a Docker {@code config.json}, retries for transient
 * failures, HTTP for loopback and insecure registries, HTTPS otherwise. Built on {@link
 * java.net.http.HttpClient}. Challenge parsing ({@link
 * io.cvmfsthin.thinimage.registry.AuthChallenge}) and credential lookup ({@link
 * io.cvmfsthin.thinimage.registry.DockerConfig}) are pure.
 */
package io.cvmfsthin.thinimage.registry;
