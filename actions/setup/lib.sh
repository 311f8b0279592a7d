# shellcheck shell=bash
# lib.sh: what install.sh and run.sh share. Sourced, never run.

# escape VALUE: VALUE as the message of a workflow command, so that a line
# break cannot end the command and start another.
# https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/workflow-commands-for-github-actions
escape() {
	local s=$1
	s=${s//%/%25}
	s=${s//$'\r'/%0D}
	s=${s//$'\n'/%0A}
	printf '%s' "$s"
}
