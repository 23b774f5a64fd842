// The per-frame input the library's helpers do not keep, gathered from the input events a tick
// hands out: each participant's presses and releases, where they last moved a joystick or over a
// screen, the clicks on a screen with their place, and typing in textboxes. Plain C++17 (no
// engine type), so tests/unreal_cpp/plugin_loop.cpp runs this very code against the mediator.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

class MixPlayInputFrame
{
public:
	/** A press or release on a screen (or a typed text): who, where (0..1 from the top left), what. */
	struct Mark
	{
		std::string Participant;
		double X = 0;
		double Y = 0;
		std::string Text;
	};

	/** Starts a new frame (a frame without input touches nothing). */
	void Clear()
	{
		if (!bDirty)
		{
			return;
		}
		for (auto& Entry : Controls)
		{
			Control& C = Entry.second;
			C.Presses.clear();
			C.Releases.clear();
			C.LastMove.clear();
			C.ScreenDowns.clear();
			C.ScreenUps.clear();
			C.Changes.clear();
		}
		bDirty = false;
	}

	void Press(const std::string& ControlId, const std::string& Who, bool bDown, bool bHasPosition, double X, double Y)
	{
		Control& C = For(ControlId);
		++(bDown ? C.Presses : C.Releases)[Who];
		if (bHasPosition)
		{
			(bDown ? C.ScreenDowns : C.ScreenUps).push_back(Mark{Who, X, Y, std::string()});
		}
	}

	void Move(const std::string& ControlId, const std::string& Who, double X, double Y)
	{
		For(ControlId).LastMove[Who] = std::make_pair(X, Y);
	}

	void Type(const std::string& ControlId, const std::string& Who, const std::string& Text)
	{
		For(ControlId).Changes.push_back(Mark{Who, 0, 0, Text});
	}

	int Presses(const std::string& ControlId, const std::string& Who) const { return Count(ControlId, Who, true); }
	int Releases(const std::string& ControlId, const std::string& Who) const { return Count(ControlId, Who, false); }

	/** Where `Who` last moved on the control this frame; false when they did not. */
	bool LastMove(const std::string& ControlId, const std::string& Who, double& X, double& Y) const
	{
		X = Y = 0;
		const Control* C = Find(ControlId);
		if (!C)
		{
			return false;
		}
		const auto It = C->LastMove.find(Who);
		if (It == C->LastMove.end())
		{
			return false;
		}
		X = It->second.first;
		Y = It->second.second;
		return true;
	}

	const std::vector<Mark>& ScreenDowns(const std::string& ControlId) const { return ListOf(ControlId, &Control::ScreenDowns); }
	const std::vector<Mark>& ScreenUps(const std::string& ControlId) const { return ListOf(ControlId, &Control::ScreenUps); }
	const std::vector<Mark>& Changes(const std::string& ControlId) const { return ListOf(ControlId, &Control::Changes); }

private:
	struct Control
	{
		std::map<std::string, int> Presses;
		std::map<std::string, int> Releases;
		std::map<std::string, std::pair<double, double>> LastMove;
		std::vector<Mark> ScreenDowns;
		std::vector<Mark> ScreenUps;
		std::vector<Mark> Changes;
	};

	Control& For(const std::string& ControlId)
	{
		bDirty = true;
		return Controls[ControlId];
	}

	const Control* Find(const std::string& ControlId) const
	{
		const auto It = Controls.find(ControlId);
		return It == Controls.end() ? nullptr : &It->second;
	}

	int Count(const std::string& ControlId, const std::string& Who, bool bPresses) const
	{
		const Control* C = Find(ControlId);
		if (!C)
		{
			return 0;
		}
		const auto& Counts = bPresses ? C->Presses : C->Releases;
		const auto It = Counts.find(Who);
		return It == Counts.end() ? 0 : It->second;
	}

	const std::vector<Mark>& ListOf(const std::string& ControlId, std::vector<Mark> Control::*List) const
	{
		static const std::vector<Mark> None;
		const Control* C = Find(ControlId);
		return C ? C->*List : None;
	}

	std::map<std::string, Control> Controls;
	bool bDirty = false;
};
