/**
 * The commands the enrollment card offers. The server does not serve the agent bundle
 * (no route for it in packages/server): the commands are what README documents — copy the
 * one-file bundle from a checkout to the node, then start it with the enrollment token.
 */

/**
 * Where the agent bundle lives on a node: built from a checkout (`npm run bundle:agent` →
 * packages/agent/dist-bundle/chronosync-agent.mjs) and copied there (README).
 */
export const AGENT_PATH = "/usr/local/bin/chronosync-agent";

/** The command that copies the bundle to a node, run from a checkout (README). */
export function copyCommand(host = "NODE"): string {
  return `scp packages/agent/dist-bundle/chronosync-agent.mjs ${host}:${AGENT_PATH}`;
}

/**
 * The one-line command that starts the agent on the node with this token: it enrolls once,
 * keeps its client credentials and reports to this server (README "Report a node to the
 * server"; flags per docs/configuration.md `server.url` / `server.enrollToken`).
 */
export function installCommand(origin: string, token: string): string {
  return `CHRONOSYNC_ENROLL_TOKEN=${token} ${AGENT_PATH} agent --server-url ${origin}`;
}
