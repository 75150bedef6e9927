/**
 * Core: the Docker graph-driver plugin protocol ({@code docker.graphdriver/1.0}, spec
 * docker-graphdriver-plugin.md §2, §4, §13.1): wire records ({@code *Json}), the endpoint names,
 * and {@link io.cvmfsthin.plugin.protocol.PluginApi}, which turns a JSON request into a call on
 * {@link io.cvmfsthin.plugin.protocol.GraphDriverBackend} and its result into a JSON answer. No
 * sockets, no threads.
 */
package io.cvmfsthin.plugin.protocol;
