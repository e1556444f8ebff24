import { spawn, type SpawnOptions } from 'node:child_process'

/**
 * Runs a command to its end without blocking the test worker (a long spawnSync starves vitest's
 * own messages and it reports a timeout), and returns its exit status and its output, stdout then
 * stderr.
 */
export function spawnText(
  command: string,
  args: string[],
  options: SpawnOptions & { timeoutMs?: number } = {}
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, timeout: options.timeoutMs ?? 290_000 })
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', d => (stdout += d))
    child.stderr?.on('data', d => (stderr += d))
    child.on('error', reject)
    child.on('close', status => resolve({ status, output: stdout + stderr }))
  })
}
