#!/usr/bin/env bash
exit 4
